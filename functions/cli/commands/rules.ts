import Table from "cli-table3";
import { severityRank } from "../../core/alert/alert";
import { catalog } from "../../core/rules/catalog";

/** `trailwatch rules`: what the catalog detects. */
export function listRules(format: "table" | "json"): void {
  const rules = [...catalog].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
  if (format === "json") {
    const rows = rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, eventSources: r.eventSources, eventNames: r.eventNames, remediation: r.remediation ?? null, references: r.references }));
    process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    return;
  }
  const t = new Table({ head: ["id", "severity", "title", "events", "remediation"], colWidths: [40, 10, 46, 40, 30], wordWrap: true });
  for (const r of rules) t.push([r.id, r.severity, r.title, r.eventNames === "*" ? `any ${r.eventSources.join(", ")}` : r.eventNames.join(", "), r.remediation ?? ""]);
  process.stdout.write(t.toString() + `\n${rules.length} rules\n`);
}
