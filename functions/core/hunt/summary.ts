import { severityRank, SEVERITIES, type Alert, type Severity } from "../alert/alert";
import { BATCH_PROBLEMS, clipText, type BatchResult, type HuntProblem } from "./batch";

/**
 * The summary of a hunt: what was listed, what each batch read, which items failed and why, and the
 * alerts by rule and severity. Built from the plan, the batch results the Distributed Map wrote and
 * the failed items it reported; pure (the summarize function reads and writes the objects).
 */

/** What the plan step found (also written as `plan.json`). */
export interface HuntListing {
  /** (account, region) pairs with log files in the window. */
  accountRegions: number;
  /** Day folders with log files in the window. */
  dayFolders: number;
  /** Log files put into the manifest. */
  files: number;
  /** Their stored bytes. */
  bytes: number;
  /** Objects listed and left out, by reason. */
  skipped: { digest: number; notLogFile: number; empty: number; outsideWindow: number };
  /** Prefixes that could not be listed (access denied, ...), each with why; the rest was still listed. */
  problems: HuntProblem[];
  moreProblems: number;
}

/** A batch the Distributed Map reports as failed (after the state machine's retries). */
export interface FailedBatch {
  batch: string;
  error: string;
  cause: string;
  files: number;
  /** The first keys of the batch (its whole input is in the map run's FAILED results). */
  keys: string[];
}

export type HuntStatus = "succeeded" | "failed";

export interface HuntSummary {
  hunt: string;
  status: HuntStatus;
  /** Why the hunt failed (the Distributed Map exceeded its tolerated failures, ...). */
  failure?: { error: string; cause: string };
  window: { from: string; to: string };
  accounts?: string[];
  regions?: string[];
  rules?: string[];
  minSeverity?: Severity;
  startedAt: string;
  finishedAt: string;
  listing: HuntListing;
  batches: { total: number; succeeded: number; failed: number; pending: number };
  scan: { files: number; filesRead: number; filesSkipped: number; filesWithErrors: number; records: number; invalidRecords: number; bytes: number; storedBytes: number };
  failedItems: FailedBatch[];
  moreFailedItems: number;
  /** Files not read completely and records that could not be used, from every batch (first ones). */
  fileProblems: HuntProblem[];
  moreFileProblems: number;
  ruleErrors: { rule: string; count: number; first: string }[];
  alerts: {
    total: number;
    byRule: Record<string, number>;
    bySeverity: Record<Severity, number>;
    /** Distinct alerts beyond the merge limit: written as the batches found them (ids may repeat). */
    unmerged: number;
  };
  /** Matches the deployment's suppressions kept back, per rule: counted, never dropped silently (absent: none). */
  suppressed?: Record<string, number>;
  published?: { sent: number; undeliverable: number };
  results: { summary: string; alerts: string; mapResults: string };
}

/** Failed batches listed in a summary (the rest are counted). */
export const SUMMARY_FAILED_BATCHES = 100;
/** File problems listed in a summary (the rest are counted). */
export const SUMMARY_FILE_PROBLEMS = 200;
/** Keys of a failed batch listed. */
const FAILED_KEYS = 5;

/** Adds batch results and failed batches up into a summary. */
export class HuntSummaryBuilder {
  private readonly s: HuntSummary;
  private readonly ruleErrors = new Map<string, { count: number; first: string }>();

  constructor(init: Pick<HuntSummary, "hunt" | "window" | "accounts" | "regions" | "rules" | "minSeverity" | "startedAt" | "listing" | "results">) {
    this.s = {
      ...init,
      status: "succeeded",
      finishedAt: init.startedAt,
      batches: { total: 0, succeeded: 0, failed: 0, pending: 0 },
      scan: { files: 0, filesRead: 0, filesSkipped: 0, filesWithErrors: 0, records: 0, invalidRecords: 0, bytes: 0, storedBytes: 0 },
      failedItems: [],
      moreFailedItems: 0,
      fileProblems: [],
      moreFileProblems: 0,
      ruleErrors: [],
      alerts: { total: 0, byRule: {}, bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>, unmerged: 0 },
    };
  }

  /** A batch that succeeded. */
  addResult(r: BatchResult): void {
    const b = this.s.batches;
    b.total++;
    b.succeeded++;
    const scan = this.s.scan;
    scan.files += r.files;
    scan.filesRead += r.filesRead;
    scan.filesSkipped += r.filesSkipped;
    scan.filesWithErrors += r.filesWithErrors;
    scan.records += r.records;
    scan.invalidRecords += r.invalidRecords;
    scan.bytes += r.bytes;
    scan.storedBytes += r.storedBytes;
    for (const p of r.problems) this.addFileProblem(p);
    this.s.moreFileProblems += r.moreProblems;
    for (const [rule, n] of Object.entries(r.suppressedByRule ?? {})) {
      const sup = (this.s.suppressed ??= {});
      sup[rule] = (sup[rule] ?? 0) + n;
    }
    for (const e of r.ruleErrors) {
      const seen = this.ruleErrors.get(e.rule);
      if (seen) seen.count += e.count;
      else this.ruleErrors.set(e.rule, { count: e.count, first: clipText(e.first) });
    }
  }

  /** A batch the map run reports as failed, with Step Functions' error and cause and the batch's items. */
  addFailed(f: { batch: string; error: string; cause: string; keys: string[] }): void {
    this.s.batches.total++;
    this.s.batches.failed++;
    this.s.scan.files += f.keys.length;
    if (this.s.failedItems.length >= SUMMARY_FAILED_BATCHES) {
      this.s.moreFailedItems++;
      return;
    }
    this.s.failedItems.push({ batch: clipText(f.batch, 200), error: clipText(f.error, 200), cause: clipText(f.cause), files: f.keys.length, keys: f.keys.slice(0, FAILED_KEYS) });
  }

  /** Batches the map run did not get to (it was stopped, or failed before). */
  addPending(count: number, files: number): void {
    this.s.batches.total += count;
    this.s.batches.pending += count;
    this.s.scan.files += files;
  }

  /** Counts one alert of the results file (`unmerged`: written beyond the merge limit). */
  countAlert(alert: Pick<Alert, "rule" | "severity">, unmerged = false): void {
    const a = this.s.alerts;
    a.total++;
    a.byRule[alert.rule] = (a.byRule[alert.rule] ?? 0) + 1;
    if (alert.severity in a.bySeverity) a.bySeverity[alert.severity]++;
    if (unmerged) a.unmerged++;
  }

  /** The hunt failed (its Distributed Map, or a step before the summary). */
  fail(error: string, cause: string): void {
    this.s.status = "failed";
    this.s.failure = { error: clipText(error, 200), cause: clipText(cause, 2000) };
  }

  published(sent: number, undeliverable: number): void {
    this.s.published = { sent, undeliverable };
  }

  build(finishedAt: Date): HuntSummary {
    this.s.finishedAt = finishedAt.toISOString();
    this.s.ruleErrors = [...this.ruleErrors].map(([rule, e]) => ({ rule, ...e })).sort((x, y) => y.count - x.count);
    return this.s;
  }

  /** A file (or result file) that could not be read completely, with why. */
  addFileProblem(p: HuntProblem): void {
    if (this.s.fileProblems.length >= SUMMARY_FILE_PROBLEMS) this.s.moreFileProblems++;
    else this.s.fileProblems.push({ file: clipText(p.file, 1100), reason: clipText(p.reason) });
  }
}

/** Default limit of distinct alerts merged in memory; later distinct ones are written unmerged. */
export const DEFAULT_MERGE_LIMIT = 100_000;

/**
 * Merges the alerts of every batch by alert id, as one scan of the whole window would have: the
 * earliest event stays the alert's own, `occurrences` add up and `lastEventTime` is the latest.
 * Beyond `limit` distinct ids, new ids are handed back to the caller unmerged (to be written as they
 * are: nothing is dropped, and memory stays bounded).
 */
export class HuntAlertMerger {
  private readonly byId = new Map<string, Alert>();

  constructor(private readonly limit = DEFAULT_MERGE_LIMIT) {}

  /** Merges `a`; returns false when it was not kept (a new id beyond the limit). */
  add(a: Alert): boolean {
    const seen = this.byId.get(a.id);
    if (!seen) {
      if (this.byId.size >= this.limit) return false;
      this.byId.set(a.id, { ...a, occurrences: a.occurrences ?? 1 });
      return true;
    }
    const occurrences = (seen.occurrences ?? 1) + (a.occurrences ?? 1);
    const last = [seen.lastEventTime ?? seen.eventTime, a.lastEventTime ?? a.eventTime, seen.eventTime, a.eventTime].sort().at(-1)!;
    const base = a.eventTime < seen.eventTime ? { ...a } : seen;
    base.occurrences = occurrences;
    if (last > base.eventTime) base.lastEventTime = last;
    this.byId.set(a.id, base);
    return true;
  }

  get size(): number {
    return this.byId.size;
  }

  /** The merged alerts, worst first, then by time and id (a stable order for the results file). */
  all(): Alert[] {
    return [...this.byId.values()].sort(
      (x, y) => severityRank(y.severity) - severityRank(x.severity) || (x.eventTime < y.eventTime ? -1 : x.eventTime > y.eventTime ? 1 : 0) || (x.id < y.id ? -1 : 1),
    );
  }
}

/** The first `BATCH_PROBLEMS` problems of a scan, the rest counted (for a batch result). */
export function firstProblems(all: HuntProblem[]): { problems: HuntProblem[]; moreProblems: number } {
  return { problems: all.slice(0, BATCH_PROBLEMS).map((p) => ({ file: clipText(p.file, 1100), reason: clipText(p.reason) })), moreProblems: Math.max(0, all.length - BATCH_PROBLEMS) };
}
