import type { Alert } from "./alert/alert";
import type { LogFileContent, LogFileRef, LogSource } from "./ports";
import type { Finding, RuleEngine } from "./rules/engine";
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
  /** e.g. "Records[12]" or "line 40"; absent for whole-file problems. */
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
  /**
   * How files are decoded: `selective` parses only the records a rule can see (the others are counted),
   * `full` parses every record, `auto` (the default) is selective where the engine says it pays
   * (`RuleEngine.prefersSelectiveDecoding`). The result is the same either way; tests compare them.
   */
  decoding?: Decoding;
}

/** See `ScanOptions.decoding`. */
export type Decoding = "auto" | "selective" | "full";

/** Whether a scan with this engine decodes selectively. */
export function decodesSelectively(engine: RuleEngine, decoding: Decoding = "auto"): boolean {
  return decoding === "selective" || (decoding === "auto" && engine.prefersSelectiveDecoding);
}

/**
 * Reads every file of a source and runs the engine over every record. One bad record never drops
 * the rest of its file and one bad file never stops the run: problems are collected and returned.
 * The next file is read and decompressed while the current one is evaluated, so I/O and gunzip
 * (which run on libuv's thread pool) overlap with JSON parsing and rule evaluation.
 */
export async function scanLogs(source: LogSource, engine: RuleEngine, opts: ScanOptions = {}): Promise<ScanResult> {
  const maxRecordProblems = opts.maxRecordProblems ?? 1000;
  const merger = new ScanMerger(maxRecordProblems);
  const readOptions = decodesSelectively(engine, opts.decoding) ? { filter: engine } : {};
  const readSafely = (f: LogFileRef): Promise<LogFileContent> =>
    source.read(f, readOptions).catch((e: unknown) => ({ records: [], invalid: [], error: `read failed: ${(e as Error).message}`, bytes: 0 }));

  let pending: { ref: LogFileRef; content: Promise<LogFileContent> } | undefined;
  const thresholds = opts.thresholds;
  const consume = async (ref: LogFileRef, contentP: Promise<LogFileContent>) => {
    const content = await contentP;
    // The engine's exceptions are counted per file, so a worker's counts merge the same way (see ScanMerger).
    engine.ruleErrors.clear();
    const outcome = evaluateFile(ref, content, engine, thresholds, maxRecordProblems, opts.onFinding ? (f, alert) => opts.onFinding!(f, alert, ref) : undefined);
    merger.file(ref, outcome);
    merger.ruleErrorsOf(engine.ruleErrors);
    await merger.thresholds(thresholds, opts.batchId?.(ref) ?? ref.id, opts.onThresholdAlert ? (a) => opts.onThresholdAlert!(a, ref) : undefined);
    opts.onProgress?.(merger.stats, ref);
  };

  for await (const ref of source.files()) {
    if (ref.error !== undefined || ref.skip) {
      if (pending) {
        await consume(pending.ref, pending.content);
        pending = undefined;
      }
      merger.notRead(ref);
      opts.onProgress?.(merger.stats, ref);
      continue;
    }
    const next = { ref, content: readSafely(ref) };
    if (pending) await consume(pending.ref, pending.content);
    pending = next;
  }
  if (pending) await consume(pending.ref, pending.content);
  return merger.finish();
}
