import type { Alert } from "./alert/alert";
import type { LogFileContent, LogFileRef, LogSource, ReadOptions } from "./ports";
import type { Finding, RuleEngine } from "./rules/engine";
import type { ExpiredSuppression, SuppressedCount, SuppressionRun } from "./rules/tuning/suppression";
import type { ThresholdTracker } from "./rules/threshold-tracker";
import { evaluateFile, ScanMerger } from "./scan-merge";

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
  onFinding?: (f: Finding, alert: Alert, file: LogFileRef) => void;
  /**
   * Called for each alert of a threshold rule, with the file whose events reached the threshold (the
   * earlier events of the burst may come from earlier files).
   */
  onThresholdAlert?: (alert: Alert, file: LogFileRef) => void;
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
  // The same per-file evaluation and merge as the worker pool (scan-merge.ts), so both give one result.
  const merger = new ScanMerger(maxRecordProblems);
  const readOptions = opts.read ?? {};
  const readSafely = (f: LogFileRef): Promise<LogFileContent> =>
    source.read(f, readOptions).catch((e: unknown) => ({ records: [], invalid: [], error: `read failed: ${(e as Error).message}`, bytes: 0 }));

  let pending: { ref: LogFileRef; content: Promise<LogFileContent> } | undefined;
  const thresholds = opts.thresholds;
  const consume = async (ref: LogFileRef, contentP: Promise<LogFileContent>) => {
    const content = await contentP;
    // Threshold observations go straight to the tracker (none are made without one).
    const onFinding = opts.onFinding;
    merger.file(ref, evaluateFile(ref, content, engine, thresholds, maxRecordProblems, onFinding ? (f, alert) => onFinding(f, alert, ref) : undefined));
    const onThreshold = opts.onThresholdAlert;
    await merger.thresholds(thresholds, opts.batchId?.(ref) ?? ref.id, onThreshold ? (alert) => onThreshold(alert, ref) : undefined);
    opts.onProgress?.(merger.stats, ref);
  };
  const flushPending = async () => {
    if (pending) await consume(pending.ref, pending.content);
    pending = undefined;
  };

  for await (const ref of source.files()) {
    if (ref.error !== undefined || ref.skip) {
      await flushPending();
      merger.notRead(ref);
      opts.onProgress?.(merger.stats, ref);
      continue;
    }
    const next = { ref, content: readSafely(ref) };
    await flushPending();
    pending = next;
  }
  await flushPending();

  const result = { ...merger.finish(), ruleErrors: [...engine.ruleErrors].map(([rule, e]) => ({ rule, ...e })) };
  if (opts.suppressions) {
    const { suppressed, expired } = opts.suppressions.report(engine.rules.map((r) => r.id));
    result.suppressed = suppressed;
    result.expiredSuppressions = expired;
  }
  return result;
}
