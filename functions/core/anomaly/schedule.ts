/**
 * EventBridge schedule expressions and the period they fire at.
 *
 * The anomaly window of a run covers one schedule period plus an overlap, so the period must be
 * known exactly: it is derived from `rate(...)` and from the common cron shapes, and otherwise has
 * to be given explicitly (a cron like "at 9:05 and 17:05" has no single period).
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(([^)]+)\)$/;

/** True for an expression EventBridge accepts in shape (`rate(...)` or six-field `cron(...)`). */
export function isScheduleExpression(expr: string): boolean {
  if (RATE.test(expr)) return Number(RATE.exec(expr)![1]) > 0;
  const m = CRON.exec(expr);
  return !!m && m[1]!.trim().split(/\s+/).length === 6;
}

function everyN(field: string): number | undefined {
  if (field === "*") return 1;
  const m = /^(?:\*|0)\/(\d+)$/.exec(field);
  return m ? Number(m[1]) : undefined;
}

/**
 * Minutes between two firings of `expr`, or undefined when the expression has no fixed period
 * (then the unit's config must say `periodMinutes`).
 *
 * - `rate(N minutes|hours|days)` -> N, N*60, N*1440
 * - `cron(M * * * ? *)` (M a single minute) -> 60; `cron(M 0/N * * ? *)` -> N*60
 * - `cron(0/N * * * ? *)` -> N
 */
export function schedulePeriodMinutes(expr: string): number | undefined {
  const r = RATE.exec(expr);
  if (r) {
    const n = Number(r[1]);
    return r[2]!.startsWith("minute") ? n : r[2]!.startsWith("hour") ? n * 60 : n * 1440;
  }
  const c = CRON.exec(expr);
  if (!c) return undefined;
  const f = c[1]!.trim().split(/\s+/);
  if (f.length !== 6) return undefined;
  const [minute, hour, dom, month, , year] = f as [string, string, string, string, string, string];
  if (!(dom === "*" || dom === "?") || month !== "*" || year !== "*") return undefined;
  const dow = f[4]!;
  if (!(dow === "*" || dow === "?")) return undefined;
  if (/^\d{1,2}$/.test(minute)) {
    const h = everyN(hour);
    return h !== undefined && 24 % h === 0 ? h * 60 : undefined;
  }
  const m = everyN(minute);
  if (m !== undefined && hour === "*" && 60 % m === 0) return m;
  return undefined;
}
