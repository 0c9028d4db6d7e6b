import type { Day } from "../../core/scoring/day";

/** Zero-padded batch number, so keys list in order. */
function pad(n: number): string {
  return String(n).padStart(5, "0");
}

/** Execution names may hold characters that are awkward in keys; keep letters, digits, `.`, `_`, `-`. */
export function runIdOf(executionName: string): string {
  const id = executionName.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80);
  return id || "run";
}

/**
 * Where one run keeps its files in the working bucket. Everything a run writes is under its own
 * `runs/<execution name>/`, so concurrent runs never overwrite each other; only the history cache
 * (pair counts of complete past days, the same whichever run computes them) is shared.
 */
export function runKeys(runPrefix: string) {
  return {
    plan: `${runPrefix}plan.json`,
    batch: (i: number) => `${runPrefix}batches/${pad(i)}.json`,
    part: (i: number) => `${runPrefix}parts/${pad(i)}.csv`,
    partStats: (i: number) => `${runPrefix}parts/${pad(i)}.json`,
    /** The day of interest's pairs: written once, by the merge step. */
    pairs: `${runPrefix}pairs.csv`,
    /** A history day read in this run that is not complete yet (so not cached). */
    historyDay: (day: Day) => `${runPrefix}history/${day.replace(/\//g, "-")}.csv`,
    read: `${runPrefix}read.json`,
    scores: `${runPrefix}scores.csv`,
    alerts: `${runPrefix}alerts.jsonl`,
  };
}

/** The run prefix of an execution. */
export function runPrefixOf(runId: string): string {
  return `runs/${runId}/`;
}

/** Cached pair counts of a complete day: keyed by trail bucket, account, region and day. */
export function historyCacheKey(bucket: string, account: string, region: string, day: Day): string {
  return `history/${bucket}/${account}/${region}/${day}/pairs.csv`;
}
