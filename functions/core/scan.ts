import type { Alert } from "./alert/alert";
import { AlertCollector } from "./alert/collector";
import type { LogFileContent, LogFileRef, LogSource, ReadOptions } from "./ports";
import { toAlert, type Finding, type RuleEngine } from "./rules/engine";
import type { ExpiredSuppression, SuppressedCount, SuppressionRun } from "./rules/tuning/suppression";
import type { ThresholdTracker } from "./rules/threshold-tracker";

/** Running totals of a scan; also what progress reports carry. */
export interface ScanStats {
  filesSeen: number;
  filesRead: number;
  filesSkipped: number;
  filesWithErrors: number;
  records: number;
  invalidRecords: number;
  /** Uncompressed bytes of log text read. */
  bytes: number;
  /** Bytes of the files as stored (compressed), for progress against the total size. */
  storedBytes: number;
  findings: number;
}

/** Something that could not be read, with where it was. */
export interface ScanProblem {
  source: string;
  /**
   * Where the record was, as the decoder names it: `Records[12]` (index in the file's `Records`
   * array, from 0), `record 12` (a top-level array), `line 40` (JSON Lines, from 1), `document 2
   * Records[0]` (several documents in one file); in a zip archive the entry is named too. Set only
   * for records; absent for whole-file problems.
   */
  where?: string;
  reason: string;
}

export interface ScanResult {
  alerts: Alert[];
  stats: ScanStats;
  /** Files that could not be read (fully or partly). */
  fileErrors: ScanProblem[];
  /** Records that were present but unusable; capped at `maxRecordProblems` entries (the count is in stats). */
  invalidRecords: ScanProblem[];
  /** Files deliberately not read, with the reason. */
  skipped: ScanProblem[];
  /** Rules that threw, per rule id: the count and the first message. */
  ruleErrors: { rule: string; count: number; first: string }[];
  /** Matches the tuning's suppressions kept from being alerted, per suppression (never dropped silently). */
  suppressed: SuppressedCount[];
  /** Suppressions past their expiry: no longer applied, with the matches alerted that they would have kept back. */
  expiredSuppressions: ExpiredSuppression[];
}

export interface ScanOptions {
  onProgress?(stats: Readonly<ScanStats>, file: LogFileRef): void;
  /** Called for each finding before it becomes an alert (e.g. to remediate), with the file it came from. */
  onFinding?(f: Finding, alert: Alert, file: LogFileRef): void;
  /**
   * Called for each alert of a threshold rule, with the file whose events reached the threshold (the
   * earlier events of the burst may come from earlier files).
   */
  onThresholdAlert?(alert: Alert, file: LogFileRef): void;
  maxRecordProblems?: number;
  /**
   * Counts what threshold rules observe, file by file. Without it, threshold rules raise nothing (a
   * caller that evaluates single events only, e.g. the trail guard, leaves it out).
   */
  thresholds?: ThresholdTracker;
  /** The batch id of a file for the threshold tracker (default: the file id); a retried file must get the same id. */
  batchId?(file: LogFileRef): string;
  /** How the source decodes files (selective decoding: `readOptionsFor` in rules/engine-filter.ts); default: every record parsed. */
  read?: ReadOptions;
  /** The suppressions of the tuned rules the engine runs (`tunedRules`): what they kept back goes into the result. */
  suppressions?: SuppressionRun;
}

/**
 * Reads every file of a source and runs the engine over every record. One bad record never drops
 * the rest of its file and one bad file never stops the run: problems are collected and returned.
 * The next file is read and decompressed while the current one is evaluated, so I/O and gunzip
 * (which run on libuv's thread pool) overlap with JSON parsing and rule evaluation.
 */
export async function scanLogs(source: LogSource, engine: RuleEngine, opts: ScanOptions = {}): Promise<ScanResult> {
  const maxRecordProblems = opts.maxRecordProblems ?? 1000;
  const stats: ScanStats = {
    filesSeen: 0, filesRead: 0, filesSkipped: 0, filesWithErrors: 0,
    records: 0, invalidRecords: 0, bytes: 0, storedBytes: 0, findings: 0,
  };
  const collector = new AlertCollector();
  const result: ScanResult = { alerts: [], stats, fileErrors: [], invalidRecords: [], skipped: [], ruleErrors: [], suppressed: [], expiredSuppressions: [] };

  const readOptions = opts.read ?? {};
  const readSafely = (f: LogFileRef): Promise<LogFileContent> =>
    source.read(f, readOptions).catch((e: unknown) => ({ records: [], invalid: [], error: `read failed: ${(e as Error).message}`, bytes: 0 }));

  let pending: { ref: LogFileRef; content: Promise<LogFileContent> } | undefined;
  const thresholds = opts.thresholds;
  const consume = async (ref: LogFileRef, contentP: Promise<LogFileContent>) => {
    const content = await contentP;
    ingest(ref, content);
    if (thresholds?.hasPending) {
      for (const alert of await thresholds.flush(opts.batchId?.(ref) ?? ref.id)) {
        stats.findings++;
        opts.onThresholdAlert?.(alert, ref);
        collector.add(alert);
      }
    }
    opts.onProgress?.(stats, ref);
  };
  const ingest = (ref: LogFileRef, content: LogFileContent) => {
    stats.storedBytes += Math.max(ref.size ?? 0, 0);
    if (content.skipped) {
      stats.filesSkipped++;
      result.skipped.push({ source: ref.id, reason: content.skipped });
    } else stats.filesRead++;
    if (content.error) {
      stats.filesWithErrors++;
      result.fileErrors.push({ source: ref.id, reason: content.error });
    }
    stats.bytes += content.bytes;
    stats.records += content.unparsed ?? 0;
    stats.invalidRecords += content.moreInvalid ?? 0;
    for (const inv of content.invalid) {
      stats.invalidRecords++;
      if (result.invalidRecords.length < maxRecordProblems) result.invalidRecords.push({ source: inv.source, where: inv.where, reason: inv.reason });
    }
    const records = content.records;
    for (let i = 0; i < records.length; i++) {
      const raw = records[i] as { eventSource: string; eventName: string };
      // Threshold observations go straight to the tracker (none are made without one).
      const ev = engine.evaluate(raw, thresholds);
      if (ev.kind === "invalid") {
        stats.invalidRecords++;
        if (result.invalidRecords.length < maxRecordProblems) result.invalidRecords.push({ source: ref.id, where: content.where?.[i] ?? `Records[${content.recordIndex?.[i] ?? i}]`, reason: ev.reason });
        continue;
      }
      stats.records++;
      for (const f of ev.findings) {
        stats.findings++;
        const alert = toAlert(f);
        opts.onFinding?.(f, alert, ref);
        collector.add(alert);
      }
    }
  };

  for await (const ref of source.files()) {
    stats.filesSeen++;
    if (ref.error !== undefined) {
      if (pending) {
        await consume(pending.ref, pending.content);
        pending = undefined;
      }
      stats.filesWithErrors++;
      result.fileErrors.push({ source: ref.id, reason: ref.error });
      opts.onProgress?.(stats, ref);
      continue;
    }
    if (ref.skip) {
      if (pending) {
        await consume(pending.ref, pending.content);
        pending = undefined;
      }
      stats.filesSkipped++;
      stats.storedBytes += Math.max(ref.size ?? 0, 0);
      result.skipped.push({ source: ref.id, reason: ref.skip });
      opts.onProgress?.(stats, ref);
      continue;
    }
    const next = { ref, content: readSafely(ref) };
    if (pending) await consume(pending.ref, pending.content);
    pending = next;
  }
  if (pending) await consume(pending.ref, pending.content);

  result.alerts = collector.all();
  result.ruleErrors = [...engine.ruleErrors].map(([rule, e]) => ({ rule, ...e }));
  if (opts.suppressions) {
    const { suppressed, expired } = opts.suppressions.report(engine.rules.map((r) => r.id));
    result.suppressed = suppressed;
    result.expiredSuppressions = expired;
  }
  return result;
}
