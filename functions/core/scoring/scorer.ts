import type { PairCount } from "./pair";

/** A score in [0, 1] for one pair (higher = more unusual) and, when the scorer has them, its reasons. */
export interface PairScore {
  score: number;
  components?: Record<string, unknown>;
}

/**
 * Scores the pairs of one day. Adapters: the built-in scorer (history of the preceding days, no
 * infrastructure) and a SageMaker endpoint. Returns one score per pair, in the same order.
 */
export interface Scorer {
  /** Short name for outputs and alerts, e.g. `builtin` or `sagemaker:my-endpoint`. */
  readonly name: string;
  score(pairs: readonly PairCount[]): Promise<PairScore[]>;
}

/** Thrown when a scorer returns something that cannot be a score for each pair. */
export class ScorerOutputError extends Error {
  override name = "ScorerOutputError";
}

/** Checks a scorer's output: one finite number per pair. */
export function checkScores(scores: readonly PairScore[], pairs: readonly PairCount[], scorer: string): void {
  if (scores.length !== pairs.length) {
    throw new ScorerOutputError(`scorer ${scorer} returned ${scores.length} scores for ${pairs.length} pairs`);
  }
  scores.forEach((s, i) => {
    if (typeof s.score !== "number" || !Number.isFinite(s.score)) {
      const p = pairs[i]!;
      throw new ScorerOutputError(`scorer ${scorer} returned ${String(s.score)} for ${p.principal} ${p.eventSource} ${p.eventName} (row ${i + 1}); expected a finite number`);
    }
  });
}
