import type { Alert } from "./alert/alert";
import { AlertCollector } from "./alert/collector";
import type { LogFileContent, LogFileRef } from "./ports";
import { toAlert, type Finding, type ObservationSink, type RuleEngine } from "./rules/engine";
import type { ThresholdTracker } from "./rules/threshold-tracker";
import type { ScanProblem, ScanResult, ScanStats } from "./scan";

/** What one file contributed to a scan, before it is merged (the unit a worker hands back). */
export interface FileOutcome {
  storedBytes: number;
  skipped?: string;
  error?: string;
  bytes: number;
  records: number;
  /** Invalid records in all, and the first of them (at most the scan's `maxRecordProblems`). */
  invalidRecords: number;
  invalid: ScanProblem[];
  /** Alerts of single-event rules, in record order (not yet deduplicated). */
  alerts: Alert[];
}

/**
 * Runs the engine over the records of one file: the alerts of single-event rules, threshold
 * observations handed to `sink`, and the file's problems. `onFinding` sees each finding with its alert.
 */
export function evaluateFile(ref: LogFileRef, content: LogFileContent, engine: RuleEngine, sink: ObservationSink | undefined, maxRecordProblems: number, onFinding?: (f: Finding, alert: Alert) => void): FileOutcome {
  const out: FileOutcome = {
    storedBytes: Math.max(ref.size ?? 0, 0), bytes: content.bytes, records: content.unparsed ?? 0,
    invalidRecords: content.moreInvalid ?? 0, invalid: [], alerts: [],
    ...(content.skipped ? { skipped: content.skipped } : {}), ...(content.error ? { error: content.error } : {}),
  };
  for (const inv of content.invalid) {
    out.invalidRecords++;
    if (out.invalid.length < maxRecordProblems) out.invalid.push({ source: inv.source, where: inv.where, reason: inv.reason });
  }
  const records = content.records;
  for (let i = 0; i < records.length; i++) {
    const raw = records[i] as { eventSource: string; eventName: string };
    // Threshold observations go straight to the sink (none are made without one).
    const ev = engine.evaluate(raw, sink);
    if (ev.kind === "invalid") {
      out.invalidRecords++;
      if (out.invalid.length < maxRecordProblems) out.invalid.push({ source: ref.id, where: content.where?.[i] ?? `Records[${content.recordIndex?.[i] ?? i}]`, reason: ev.reason });
      continue;
    }
    out.records++;
    for (const f of ev.findings) {
      const alert = toAlert(f);
      onFinding?.(f, alert);
      out.alerts.push(alert);
    }
  }
  return out;
}

/**
 * Adds up a scan file by file, in the order the source listed the files: statistics, problems,
 * deduplicated alerts and the threshold rules' counting. In-process scans and the worker pool both
 * merge through it, so the result does not depend on how the work was split.
 */
export class ScanMerger {
  readonly stats: ScanStats = {
    filesSeen: 0, filesRead: 0, filesSkipped: 0, filesWithErrors: 0,
    records: 0, invalidRecords: 0, bytes: 0, storedBytes: 0, findings: 0,
  };
  private readonly collector = new AlertCollector();
  private readonly result: Omit<ScanResult, "alerts" | "stats" | "ruleErrors"> = { fileErrors: [], invalidRecords: [], skipped: [], suppressed: [], expiredSuppressions: [] };
  private readonly ruleErrors = new Map<string, { count: number; first: string }>();

  constructor(private readonly maxRecordProblems: number) {}

  /** A listed file that was not read (the source named an error, or a reason to skip it). */
  notRead(ref: LogFileRef): void {
    this.stats.filesSeen++;
    if (ref.error !== undefined) {
      this.stats.filesWithErrors++;
      this.result.fileErrors.push({ source: ref.id, reason: ref.error });
      return;
    }
    this.stats.filesSkipped++;
    this.stats.storedBytes += Math.max(ref.size ?? 0, 0);
    this.result.skipped.push({ source: ref.id, reason: ref.skip ?? "skipped" });
  }

  /** A file that was read; `onAlert` sees each of its single-event alerts. */
  file(ref: LogFileRef, o: FileOutcome, onAlert?: (alert: Alert) => void): void {
    const stats = this.stats;
    stats.filesSeen++;
    stats.storedBytes += o.storedBytes;
    if (o.skipped) {
      stats.filesSkipped++;
      this.result.skipped.push({ source: ref.id, reason: o.skipped });
    } else stats.filesRead++;
    if (o.error) {
      stats.filesWithErrors++;
      this.result.fileErrors.push({ source: ref.id, reason: o.error });
    }
    stats.bytes += o.bytes;
    stats.records += o.records;
    stats.invalidRecords += o.invalidRecords;
    for (const p of o.invalid) if (this.result.invalidRecords.length < this.maxRecordProblems) this.result.invalidRecords.push(p);
    for (const alert of o.alerts) {
      stats.findings++;
      onAlert?.(alert);
      this.collector.add(alert);
    }
  }

  /** The threshold alerts of the file just merged (its observations are in `thresholds`). */
  async thresholds(thresholds: ThresholdTracker | undefined, batchId: string, onAlert?: (alert: Alert) => void): Promise<void> {
    if (!thresholds?.hasPending) return;
    for (const alert of await thresholds.flush(batchId)) {
      this.stats.findings++;
      onAlert?.(alert);
      this.collector.add(alert);
    }
  }

  /** Rule exceptions of one file (per rule: the count and the first message), in file order. */
  ruleErrorsOf(errors: Iterable<[string, { count: number; first: string }]>): void {
    for (const [rule, e] of errors) {
      const seen = this.ruleErrors.get(rule);
      if (seen) seen.count += e.count;
      else this.ruleErrors.set(rule, { count: e.count, first: e.first });
    }
  }

  /** The scan's result. */
  finish(): ScanResult {
    return { alerts: this.collector.all(), stats: this.stats, ...this.result, ruleErrors: [...this.ruleErrors].map(([rule, e]) => ({ rule, ...e })) };
  }
}
