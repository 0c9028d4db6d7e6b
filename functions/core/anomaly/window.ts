/**
 * Query windows of the hourly anomaly detection.
 *
 * A window is `[from, to)` in event time. Muster computes it from the run's scheduled time (not from
 * "now"), so a retried or redriven run asks for exactly the same window. Consecutive runs of one
 * schedule get windows that overlap by `overlapMinutes` (late deliveries land in the next window)
 * and never leave a gap: `to` is the scheduled time floored to the period's granularity, and
 * `from = to - period - overlap`. Windows are plain UTC instants, so midnight is not special; the
 * scan plan lists every day a window touches.
 */

const MINUTE = 60_000;

export interface QueryWindow {
  /** Inclusive start, ISO 8601 UTC (`2026-11-20T09:45:00.000Z`). */
  from: string;
  /** Exclusive end, ISO 8601 UTC. */
  to: string;
}

export interface WindowOptions {
  /** Minutes between two runs of the schedule (60 for hourly). */
  periodMinutes: number;
  /** Extra minutes before the period, shared with the previous window (default 15). */
  overlapMinutes?: number;
}

export const DEFAULT_OVERLAP_MINUTES = 15;
/** Longest window a message may carry (a manual backfill); longer ones are refused as a mistake. */
export const MAX_WINDOW_MINUTES = 48 * 60;

/** Checks a period: sub-hour periods must divide an hour, longer ones must be whole hours. */
export function checkPeriod(periodMinutes: number): string | undefined {
  if (!Number.isInteger(periodMinutes) || periodMinutes <= 0) return `period must be a positive whole number of minutes (got ${periodMinutes})`;
  if (periodMinutes < 60 && 60 % periodMinutes !== 0) return `a period under an hour must divide 60 minutes (got ${periodMinutes})`;
  if (periodMinutes >= 60 && periodMinutes % 60 !== 0) return `a period of an hour or more must be whole hours (got ${periodMinutes} minutes)`;
  if (periodMinutes > 24 * 60) return `period must be at most 24 hours (got ${periodMinutes} minutes)`;
  return undefined;
}

/** The window of a run scheduled at `scheduledTime`. */
export function windowFor(scheduledTime: Date, opts: WindowOptions): QueryWindow {
  const problem = checkPeriod(opts.periodMinutes);
  if (problem) throw new RangeError(problem);
  const overlap = opts.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES;
  if (!Number.isInteger(overlap) || overlap < 0) throw new RangeError(`overlapMinutes must be a whole number >= 0 (got ${overlap})`);
  const t = scheduledTime.getTime();
  if (Number.isNaN(t)) throw new RangeError("scheduled time is not a valid date");
  const grain = (opts.periodMinutes >= 60 ? 60 : opts.periodMinutes) * MINUTE;
  const to = Math.floor(t / grain) * grain;
  const from = to - (opts.periodMinutes + overlap) * MINUTE;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Validates a window that arrived in a message; returns a reason or undefined. */
export function checkWindow(w: QueryWindow): string | undefined {
  const from = Date.parse(w.from);
  const to = Date.parse(w.to);
  if (Number.isNaN(from)) return `window.from is not an ISO date (got "${w.from}")`;
  if (Number.isNaN(to)) return `window.to is not an ISO date (got "${w.to}")`;
  if (to <= from) return `window.to (${w.to}) must be after window.from (${w.from})`;
  if (to - from > MAX_WINDOW_MINUTES * MINUTE) return `window is longer than ${MAX_WINDOW_MINUTES / 60} hours (${w.from} .. ${w.to})`;
  if (from % MINUTE !== 0 || to % MINUTE !== 0) return `window bounds must be whole minutes (${w.from} .. ${w.to})`;
  return undefined;
}

/**
 * The hourly windows a replay runs over `[from, to)`: one per hour end in `(from, to]`, each
 * `period + overlap` long, exactly as the deployed hourly schedule would produce them.
 */
export function hourlyWindows(from: Date, to: Date, overlapMinutes = DEFAULT_OVERLAP_MINUTES): QueryWindow[] {
  const out: QueryWindow[] = [];
  const hour = 60 * MINUTE;
  for (let end = Math.floor(from.getTime() / hour) * hour + hour; end <= to.getTime(); end += hour) {
    out.push(windowFor(new Date(end), { periodMinutes: 60, overlapMinutes }));
  }
  return out;
}
