/**
 * The alert threshold. Pairs whose score is strictly above it become alerts. The default is chosen
 * for the built-in scorer (modules/scoring/README.md, "The built-in scorer"): 0.7 alerts on a first
 * call by a principal that keeps to a routine (unless nearly every principal makes that call), on a
 * first call of an API that no one or few in the account used, and on a daily count whose chance
 * given the principal's own history is below about 1 in 20,000; it stays quiet for ordinary
 * day-to-day variation and for principals that often try new APIs calling common ones. On synthetic
 * accounts with 30 % variation about 0.07 % of ordinary pairs score above 0.7.
 * A SageMaker model has its own scale, so a deployment that uses one must set the threshold.
 */
export const DEFAULT_INSIGHT_THRESHOLD = 0.7;

/** Thrown for a threshold that is not a number. */
export class ThresholdError extends Error {
  override name = "ThresholdError";
}

/** Parses a threshold from configuration text (`INSIGHT_THRESHOLD`, `--threshold`); `where` names the source. */
export function parseThreshold(text: string | undefined, where: string, fallback = DEFAULT_INSIGHT_THRESHOLD): number {
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ThresholdError(`${where} must be a number such as 0.7 (got "${text}")`);
  return n;
}

/** True when a score alerts: strictly above the threshold (a score equal to it does not alert). */
export function isAboveThreshold(score: number, threshold: number): boolean {
  return score > threshold;
}
