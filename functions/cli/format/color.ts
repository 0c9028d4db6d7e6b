/**
 * Whether to colour output written to `stream`: only on a terminal, and never when `NO_COLOR` is set
 * to anything but the empty string (https://no-color.org).
 */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: Record<string, string | undefined> = process.env): boolean {
  return stream.isTTY === true && !(env.NO_COLOR !== undefined && env.NO_COLOR !== "");
}

const SEVERITY_COLOR: Record<string, string> = { critical: "\x1b[1;31m", high: "\x1b[31m", medium: "\x1b[33m", low: "\x1b[36m", info: "\x1b[2m" };

/** A severity word, coloured when `color` is on. */
export function paintSeverity(severity: string, color: boolean): string {
  return color ? `${SEVERITY_COLOR[severity] ?? ""}${severity}\x1b[0m` : severity;
}
