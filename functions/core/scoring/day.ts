/**
 * Days as CloudTrail's S3 layout writes them: `YYYY/MM/DD` in UTC. Pure helpers, no clock.
 */

/** A calendar day in CloudTrail's folder form, e.g. `2026/11/20`. */
export type Day = string;

const DAY_RE = /^(\d{4})\/(\d{2})\/(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Parses `YYYY/MM/DD` into UTC midnight; undefined when the text is not a real calendar day. */
export function parseDay(text: string): Date | undefined {
  const m = DAY_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 2026/02/30 over to March; a real day round-trips.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date;
}

/** True for a real calendar day written `YYYY/MM/DD`. */
export function isDay(text: string): boolean {
  return parseDay(text) !== undefined;
}

/** The UTC day a moment falls on. */
export function dayOf(t: Date): Day {
  const y = t.getUTCFullYear();
  const m = String(t.getUTCMonth() + 1).padStart(2, "0");
  const d = String(t.getUTCDate()).padStart(2, "0");
  return `${y}/${m}/${d}`;
}

/** The day `n` days after `day` (negative `n` goes back). */
export function addDays(day: Day, n: number): Day {
  const start = parseDay(day);
  if (!start) throw new RangeError(`not a day in YYYY/MM/DD form: "${day}"`);
  return dayOf(new Date(start.getTime() + n * MS_PER_DAY));
}

/** The `n` days before `day`, oldest first (the scorer's history window). */
export function precedingDays(day: Day, n: number): Day[] {
  const out: Day[] = [];
  for (let i = n; i >= 1; i--) out.push(addDays(day, -i));
  return out;
}

/** The first instant after the day (its exclusive end). */
export function dayEnd(day: Day): Date {
  const start = parseDay(day);
  if (!start) throw new RangeError(`not a day in YYYY/MM/DD form: "${day}"`);
  return new Date(start.getTime() + MS_PER_DAY);
}
