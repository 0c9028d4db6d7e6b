import type { LogFileContent, LogFileRef, LogSource } from "../ports";
import { PairAggregator, type PairCount, type PairStats } from "./pair";

/** Totals of reading log files into pairs. */
export interface ReadStats extends PairStats {
  /** Log files listed, read, and deliberately skipped (digest files, names that are not logs). */
  files: number;
  filesRead: number;
  filesSkipped: number;
  /** Files that could not be read, fully or in part (the records before the fault still count). */
  unreadableFiles: number;
  /** Records present but unusable (no eventName, not an object, bad JSON line). */
  invalidRecords: number;
  /** Uncompressed bytes of log text. */
  bytes: number;
}

/** The pairs of a set of log files, and what went wrong on the way (first `maxProblems` reasons). */
export interface ReadResult {
  pairs: PairCount[];
  stats: ReadStats;
  problems: string[];
}

/** An empty set of read totals. */
export function emptyReadStats(): ReadStats {
  return { files: 0, filesRead: 0, filesSkipped: 0, unreadableFiles: 0, invalidRecords: 0, bytes: 0, records: 0, serviceRecords: 0, unknownPrincipal: 0 };
}

/** Adds `b` into `a`. */
export function addReadStats(a: ReadStats, b: ReadStats): ReadStats {
  for (const k of Object.keys(a) as (keyof ReadStats)[]) a[k] += b[k];
  return a;
}

export interface ReadPairsOptions {
  /** Files read at once (I/O and gunzip overlap with counting). Default 8. */
  concurrency?: number;
  /** Reasons kept for the report; the counts are always complete. Default 20. */
  maxProblems?: number;
  onFile?(ref: LogFileRef, stats: Readonly<ReadStats>): void;
}

/**
 * Reads every file of a source and counts its (principal, API) pairs, leaving out AWS service calls.
 * Never stops at a bad file or record: they are counted and described in `problems`. A source that
 * throws (e.g. access denied on the bucket) does stop the read, since the day could not be read.
 */
export async function readPairs(source: LogSource, opts: ReadPairsOptions = {}): Promise<ReadResult> {
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const maxProblems = opts.maxProblems ?? 20;
  const agg = new PairAggregator();
  const stats = emptyReadStats();
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < maxProblems) problems.push(text);
  };

  const ingest = (ref: LogFileRef, c: LogFileContent) => {
    if (c.skipped) stats.filesSkipped++;
    else stats.filesRead++;
    if (c.error) {
      stats.unreadableFiles++;
      problem(`${ref.id}: ${c.error}`);
    }
    stats.bytes += c.bytes;
    stats.invalidRecords += c.invalid.length + (c.moreInvalid ?? 0);
    for (const inv of c.invalid.slice(0, 1)) problem(`${inv.source} ${inv.where}: ${inv.reason}`);
    for (const r of c.records) agg.add(r);
    opts.onFile?.(ref, stats);
  };

  const window: { ref: LogFileRef; content: Promise<LogFileContent> }[] = [];
  for await (const ref of source.files()) {
    stats.files++;
    if (ref.error !== undefined) {
      // A path the source could not open: unreadable, never counted as read.
      stats.unreadableFiles++;
      problem(`${ref.id}: ${ref.error}`);
      continue;
    }
    if (ref.skip) {
      stats.filesSkipped++;
      continue;
    }
    window.push({ ref, content: source.read(ref) });
    // Keep later reads from rejecting unobserved while an earlier one is awaited.
    window[window.length - 1]!.content.catch(() => undefined);
    if (window.length >= concurrency) {
      const next = window.shift()!;
      ingest(next.ref, await next.content);
    }
  }
  for (const next of window) ingest(next.ref, await next.content);

  const s = agg.stats;
  stats.records = s.records;
  stats.serviceRecords = s.serviceRecords;
  stats.unknownPrincipal = s.unknownPrincipal;
  return { pairs: agg.pairs(), stats, problems };
}
