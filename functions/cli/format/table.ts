import Table from "cli-table3";
import { severityRank, type Alert } from "../../core/alert/alert";

const COLOR: Record<string, string> = { critical: "\x1b[1;31m", high: "\x1b[31m", medium: "\x1b[33m", low: "\x1b[36m", info: "\x1b[2m" };

/** Sorts alerts for people: worst first, then by time. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.eventTime.localeCompare(b.eventTime) || a.rule.localeCompare(b.rule));
}

/** Shortens an ARN to what people read: "role/ci-deploy" rather than the whole ARN. */
export function shortPrincipal(p: string): string {
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(.+)$/.exec(p);
  return m ? m[1]! : p;
}

/** Renders alerts as a table; `color` adds ANSI colours to the severity column (terminals only). */
export function alertTable(alerts: readonly Alert[], opts: { color?: boolean; width?: number } = {}): string {
  const width = Math.max(opts.width ?? 160, 100);
  const summaryWidth = Math.max(width - 88, 30);
  const table = new Table({
    head: ["severity", "rule", "account", "principal", "time (UTC)", "summary"],
    colWidths: [10, 34, 14, 26, 19, summaryWidth],
    wordWrap: true,
    style: { head: opts.color ? ["bold"] : [], border: opts.color ? ["grey"] : [] },
  });
  for (const a of sortAlerts(alerts)) {
    const sev = opts.color ? `${COLOR[a.severity] ?? ""}${a.severity}\x1b[0m` : a.severity;
    const count = a.occurrences && a.occurrences > 1 ? ` (x${a.occurrences})` : "";
    table.push([sev, a.rule, a.account, shortPrincipal(a.principal), a.eventTime.replace("T", " ").slice(0, 19), a.summary + count]);
  }
  return table.toString();
}

/** Counts per rule and severity, worst first: the picture before the details. */
export function countTable(alerts: readonly Alert[], color = false): string {
  const counts = new Map<string, { severity: Alert["severity"]; n: number; accounts: Set<string> }>();
  for (const a of alerts) {
    const c = counts.get(a.rule) ?? { severity: a.severity, n: 0, accounts: new Set<string>() };
    c.n++;
    c.accounts.add(a.account);
    if (severityRank(a.severity) > severityRank(c.severity)) c.severity = a.severity;
    counts.set(a.rule, c);
  }
  const rows = [...counts].sort((a, b) => severityRank(b[1].severity) - severityRank(a[1].severity) || b[1].n - a[1].n);
  const table = new Table({ head: ["rule", "worst", "alerts", "accounts", ""], style: { head: color ? ["bold"] : [], border: color ? ["grey"] : [] } });
  const max = Math.max(1, ...rows.map(([, c]) => c.n));
  for (const [rule, c] of rows) table.push([rule, c.severity, c.n, c.accounts.size, "#".repeat(Math.max(1, Math.round((c.n / max) * 30)))]);
  return table.toString();
}
