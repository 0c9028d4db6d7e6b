/**
 * The alert threshold. Pairs whose score is strictly above it become alerts. The default is chosen
 * for the built-in scorer (README, "The built-in scorer"): 0.7 alerts on a first call of an API that
 * no one or only a few principals of the account used, and on a daily count whose chance given the
 * principal's own history is below about 1 in 20,000 (volume >= 0.7); it stays quiet for a first
 * call of an API many principals use (about 0.5 to 0.6) and for ordinary day-to-day variation (on
 * synthetic accounts with 30 % variation, about 0.1 % of ordinary pairs score above 0.7).
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

/** True when a score alerts: strictly above the threshold, as the seed compared. */
export function isAboveThreshold(score: number, threshold: number): boolean {
  return score > threshold;
}
