import Table from "cli-table3";
import { severityRank } from "../../core/alert/alert";
import { catalog } from "../../core/rules/catalog";
import { cell, tableStyle, useColor } from "../terminal";

/** `trailwatch rules`: what the catalog detects. */
export function listRules(format: "table" | "json"): void {
  const rules = [...catalog].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
  if (format === "json") {
    const rows = rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, eventSources: r.eventSources, eventNames: r.eventNames, remediation: r.remediation ?? null, references: r.references }));
    process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    return;
  }
  // Colour only on a terminal without NO_COLOR: cli-table3 colours headings and borders by default, pipes included.
  const t = new Table({ head: ["id", "severity", "title", "events", "remediation"], colWidths: [40, 10, 46, 40, 30], wordWrap: true, style: tableStyle(useColor(process.stdout)) });
  for (const r of rules) t.push([cell(r.id), cell(r.severity), cell(r.title), cell(r.eventNames === "*" ? `any ${r.eventSources.join(", ")}` : r.eventNames.join(", ")), cell(r.remediation ?? "")]);
  process.stdout.write(t.toString() + `\n${rules.length} rules\n`);
}
