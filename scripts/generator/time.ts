/** Time helpers in UTC; the generator works in epoch milliseconds throughout. */

export const SECOND_MS = 1000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const p2 = (n: number) => (n < 10 ? "0" : "") + n;

/** `2026-11-20T10:12:33Z`, CloudTrail's eventTime format (seconds, no fraction). */
export function isoSeconds(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}Z`;
}

/** `20261120T1015Z`, the timestamp in a log file's name. */
export function fileStamp(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
}

/** `20261120T101533Z`, the timestamp in a digest file's name (with seconds). */
export function digestStamp(t: number): string {
  return fileStamp(t).slice(0, -1) + p2(new Date(t).getUTCSeconds()) + "Z";
}

/** `2026/11/20`, the date folders of the S3 layout. */
export function dayPath(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}`;
}

/** Midnight UTC of a `YYYY-MM-DD` string or Date. Throws a clear error on anything else. */
export function utcDay(v: string | Date): number {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new Error("endDate is an invalid Date");
    return Math.floor(v.getTime() / DAY) * DAY;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) throw new Error(`endDate must be YYYY-MM-DD (got "${v}")`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (isoSeconds(t).slice(0, 10) !== v) throw new Error(`endDate "${v}" is not a calendar date`);
  return t;
}

/** "Nov 20, 2026 10:12:33 AM", the date format some services (IAM, KMS) write in responseElements. */
export function awsLongDate(t: number): string {
  const d = new Date(t);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h12}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}
