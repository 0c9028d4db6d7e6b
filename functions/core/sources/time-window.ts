/**
 * The time window of a scan, verification or LookupEvents read: `[from, to)` in UTC. People give
 * it as dates, times or a duration back from now; everything here is pure (the clock is passed in).
 */

/** A half-open UTC interval `[from, to)`. */
export interface TimeWindow {
  from: Date;
  to: Date;
}

/** Thrown for a date, time or duration that cannot be read; the message names the flag and the value. */
export class TimeWindowError extends Error {
  override name = "TimeWindowError";
}

const DATE_ONLY = /^(\d{4})[-/](\d{2})[-/](\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

function checkedUtc(flag: string, text: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC rolls 2026-02-30 over to March; a value that does not round-trip is not a real date.
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || t.getUTCHours() !== h || t.getUTCMinutes() !== mi || t.getUTCSeconds() !== s) {
    throw new TimeWindowError(`${flag} ${JSON.stringify(text)} is not a real date or time`);
  }
  return t;
}

/**
 * Reads a UTC date (`2026-11-20`, also `2026/11/20`) or date and time (`2026-11-20T10:00`,
 * `2026-11-20 10:00:30`, `2026-11-20T10:00:00Z`, an explicit offset such as `+02:00` is honoured;
 * without one the time is UTC). A date alone means the start of that day, or with `endOfDay` the
 * start of the next one, so `--to 2026-11-20` includes the whole 20th.
 */
export function parseInstant(flag: string, text: string, opts: { endOfDay?: boolean } = {}): Date {
  const v = text.trim();
  const d = DATE_ONLY.exec(v);
  if (d) {
    const day = checkedUtc(flag, text, Number(d[1]), Number(d[2]), Number(d[3]));
    return opts.endOfDay ? new Date(day.getTime() + 86_400_000) : day;
  }
  const m = DATE_TIME.exec(v);
  if (!m) {
    throw new TimeWindowError(`${flag} ${JSON.stringify(text)} is not a UTC date or time (expected e.g. 2026-11-20, 2026-11-20T10:00 or 2026-11-20T10:00:00Z)`);
  }
  const frac = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const local = checkedUtc(flag, text, Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), frac);
  const zone = m[8];
  if (!zone || zone.toUpperCase() === "Z") return local;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  if (Math.abs(offsetMin) > 14 * 60) throw new TimeWindowError(`${flag} ${JSON.stringify(text)} has an offset beyond +-14:00`);
  return new Date(local.getTime() - offsetMin * 60_000);
}

/** Reads a duration such as `90m`, `24h`, `7d` or `2w` into milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new TimeWindowError(`${flag} ${JSON.stringify(text)} is not a duration (expected e.g. 30m, 24h, 7d or 2w)`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  if (!(ms > 0)) throw new TimeWindowError(`${flag} ${JSON.stringify(text)} must be longer than zero`);
  return ms;
}

/** What a command line gives: any of `--from`, `--to`, `--since`. */
export interface WindowFlags {
  from?: string;
  to?: string;
  since?: string;
}

/**
 * The window the flags describe, or undefined when none is given. `--to` defaults to `now`;
 * `--since D` means `[now - D, now)` and cannot be combined with `--from`. A window that ends
 * before it starts, or starts in the future, is refused.
 */
export function windowFromFlags(flags: WindowFlags, now: Date): TimeWindow | undefined {
  if (flags.since !== undefined && flags.from !== undefined) throw new TimeWindowError("give either --since or --from, not both");
  if (flags.from === undefined && flags.since === undefined) {
    if (flags.to !== undefined) throw new TimeWindowError("--to needs --from or --since");
    return undefined;
  }
  const to = flags.to !== undefined ? parseInstant("--to", flags.to, { endOfDay: true }) : now;
  const from = flags.since !== undefined ? new Date(to.getTime() - parseDuration("--since", flags.since)) : parseInstant("--from", flags.from!);
  if (from.getTime() > now.getTime()) throw new TimeWindowError(`--from ${formatInstant(from)} is in the future`);
  if (from.getTime() >= to.getTime()) throw new TimeWindowError(`the window is empty: --from ${formatInstant(from)} is not before --to ${formatInstant(to)}`);
  return { from, to };
}

/** `true` when `t` (an ISO string or Date) lies in `[from, to)`; an unreadable time is outside. */
export function inWindow(w: TimeWindow, t: string | Date): boolean {
  const ms = typeof t === "string" ? Date.parse(t) : t.getTime();
  return Number.isFinite(ms) && ms >= w.from.getTime() && ms < w.to.getTime();
}

/** Every UTC day (`YYYY/MM/DD`, CloudTrail's folder form) that `[from, to)` touches, oldest first. */
export function daysOf(w: TimeWindow): string[] {
  const out: string[] = [];
  const start = Date.UTC(w.from.getUTCFullYear(), w.from.getUTCMonth(), w.from.getUTCDate());
  for (let t = start; t < w.to.getTime(); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, "/"));
  return out;
}

/** `2026-11-20T10:00:00Z`: how windows are shown to people. */
export function formatInstant(t: Date): string {
  return t.toISOString().replace(/\.000Z$/, "Z");
}
