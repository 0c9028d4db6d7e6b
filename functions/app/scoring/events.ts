import type { RunTotals } from "../../core/scoring/alerts";
import type { Day } from "../../core/scoring/day";

/**
 * What the steps pass each other through the state machine. Only small references travel in the
 * state (Step Functions caps it at 256 KB); file lists, pairs and scores stay in the working bucket.
 */

/** The execution, from the context object (`$$.Execution`). */
export interface ExecutionRef {
  id: string;
  name: string;
  startTime: string;
}

/** What the plan step returns (kept in the state as `$.run`). */
export interface RunRef {
  runId: string;
  executionId: string;
  runPrefix: string;
  bucket: string;
  account: string;
  region: string;
  day: Day;
  /** `s3://<trail bucket>/<prefix of the day>`. */
  logPrefix: string;
  startedAt: string;
  /** Batch numbers for the Map state; one batch is read by one invocation. */
  batches: number[];
}

/** One day of the plan, in `plan.json`. */
export interface PlannedDay {
  day: Day;
  role: "target" | "history";
  /** `cache`: complete earlier day already counted; `logs`: read in this run. */
  source: "cache" | "logs";
  /** Where the counted pairs are (cache) or will be written (logs). */
  pairsKey: string;
  /** Whether this run may store the day in the shared history cache (it is complete). */
  cacheable: boolean;
  files: number;
  bytes: number;
  skipped: { digest: number; empty: number; notLogFile: number };
  batches: number[];
}

/** `plan.json`: everything the later steps need to find their files. */
export interface RunPlan {
  run: Omit<RunRef, "batches">;
  days: PlannedDay[];
}

/** One batch file (`batches/NNNNN.json`). */
export interface BatchFile {
  day: Day;
  objects: { key: string; size: number }[];
}

/** What the merge step returns (`$.read`). */
export interface ReadOutcome {
  pairsKey: string;
  /** Pair files of the preceding days that had data, oldest first. */
  historyKeys: string[];
  totals: RunTotals;
}

/** What the score step returns (`$.scores`). */
export interface ScoreOutcome {
  scoresKey: string;
  scorer: string;
  pairs: number;
  /** Preceding days that had data (the built-in scorer's evidence; 0 for a model). */
  historyDays: number;
}

/** What the alert step returns (the execution's output). */
export interface AlertOutcome {
  runId: string;
  account: string;
  region: string;
  day: Day;
  pairs: number;
  threshold: number;
  unusual: number;
  summarySent: boolean;
  results: string;
}

export type ReadEvent =
  | { action: "plan"; input: unknown; execution: ExecutionRef }
  | { action: "read-batch"; runPrefix: string; bucket: string; batch: number }
  | { action: "merge"; run: RunRef };
export type ScoreEvent = { action: "score"; run: RunRef; read: ReadOutcome };
export type AlertEvent =
  | { action: "alert"; run: RunRef; read: ReadOutcome; scores: ScoreOutcome }
  | { action: "failure"; state: Record<string, unknown>; execution: { id: string; name: string } };
