import type { Principal } from "../../core/record/principal";
import { recordText } from "../../core/record/record-filter";
import type { ThresholdTracker } from "../../core/rules/threshold-tracker";
import type { FileOutcome } from "../../core/scan-merge";
import type { LogFileRef } from "../../core/ports";
import type { EngineOptions } from "../../core/rules/engine";
import type { Decoding } from "../../core/rules/engine-filter";
import type { SuppressionCounts } from "../../core/rules/tuning/suppression";

/** What every worker is started with: it builds the same engine as the main thread. */
export interface WorkerSetup {
  engine: Pick<EngineOptions, "only" | "minSeverity" | "settings">;
  /** Threshold rules count (the main thread has a tracker): observations are sent back. */
  thresholds: boolean;
  maxRecordProblems: number;
  /** See `ScanOptions.decoding`. */
  decoding: Decoding;
  /** The rule set to load as the main thread did (`loadRuleSet`: settings file, rules folder); absent: the catalog as it is. */
  ruleSet?: { settings?: string; rulesDir?: string };
  /** The scan's window as epoch ms: records outside it are left out, as `windowedSource` does. */
  window?: { from: number; to: number };
}

/** Main thread to worker. */
export type ToWorker = { type: "file"; seq: number; ref: LogFileRef } | { type: "stop" };

/** One threshold observation, folded per (rule, group, key) within its file (see `ThresholdTracker.takeBatch`). */
export interface SentObservation {
  rule: string;
  group: string;
  key: string;
  label?: string;
  t: string;
  /**
   * The whole record as JSON text (a raw view's own text): the main thread parses it only to build an
   * alert, and a string crosses threads far cheaper than the object (most samples are never used).
   */
  recordJson: string;
  principal?: Principal;
}

/** Worker to main thread. */
export type FromWorker =
  | { type: "ready" }
  | {
      type: "done";
      seq: number;
      outcome: FileOutcome;
      observations: SentObservation[];
      /** What the tuning's suppressions kept back in this file (absent: the rule set has none). */
      suppressions?: SuppressionCounts;
      /** Rule exceptions while reading this file: per rule, the count and the first message. */
      ruleErrors: [string, { count: number; first: string }][];
      /** The worker's JavaScript heap and the memory its buffers hold, in bytes, after this file. */
      memory: number;
    }
  | { type: "failed"; seq: number; message: string };

/** A file's folded observations, in the fold's order (so folding them again rebuilds the same fold). */
export function sendableObservations(batch: ReturnType<ThresholdTracker["takeBatch"]>): SentObservation[] {
  const out: SentObservation[] = [];
  for (const [rule, byGroup] of batch) {
    for (const [group, g] of byGroup) {
      for (const [key, p] of g.keys) {
        out.push({
          rule: rule.id, group, key, t: p.t, recordJson: recordText(p.record),
          ...(p.label !== undefined ? { label: p.label } : {}), ...(p.principal ? { principal: p.principal } : {}),
        });
      }
    }
  }
  return out;
}
