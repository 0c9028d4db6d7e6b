import Table from "cli-table3";
import { severityRank, type Alert } from "../../core/alert/alert";
import { shortPrincipal } from "../../core/record/principal";
import { cell, paint, tableStyle } from "../terminal";

const SEVERITY_STYLE = { critical: "boldRed", high: "red", medium: "yellow", low: "cyan", info: "dim" } as const;

/** A severity for a table cell: escaped, coloured by how bad it is when `color` is on. */
export function severityCell(severity: string, color: boolean): string {
  const style = SEVERITY_STYLE[severity as keyof typeof SEVERITY_STYLE];
  return style ? paint(cell(severity), style, color) : cell(severity);
}

/** Sorts alerts for people: worst first, then by time. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || String(a.eventTime).localeCompare(String(b.eventTime)) || String(a.rule).localeCompare(String(b.rule)));
}

/**
 * Renders alerts as a table; `color` adds ANSI colours to the severity column (terminals only).
 * Every value from a record is escaped (`cell`), so none can rewrite the terminal or forge a row.
 */
export function alertTable(alerts: readonly Alert[], opts: { color?: boolean; width?: number } = {}): string {
  const color = opts.color === true;
  const width = Math.max(opts.width ?? 160, 100);
  const summaryWidth = Math.max(width - 88, 30);
  const table = new Table({
    head: ["severity", "rule", "account", "principal", "time (UTC)", "summary"],
    colWidths: [10, 34, 14, 26, 19, summaryWidth],
    wordWrap: true,
    style: tableStyle(color),
  });
  for (const a of sortAlerts(alerts)) {
    const sev = severityCell(a.severity, color);
    const count = a.occurrences && a.occurrences > 1 ? ` (x${a.occurrences})` : "";
    table.push([sev, cell(a.rule), cell(a.account), cell(shortPrincipal(String(a.principal))), cell(String(a.eventTime).replace("T", " ").slice(0, 19)), cell(a.summary) + count]);
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
  const table = new Table({ head: ["rule", "worst", "alerts", "accounts", ""], style: tableStyle(color) });
  const max = Math.max(1, ...rows.map(([, c]) => c.n));
  for (const [rule, c] of rows) table.push([cell(rule), cell(c.severity), c.n, c.accounts.size, "#".repeat(Math.max(1, Math.round((c.n / max) * 30)))]);
  return table.toString();
}
