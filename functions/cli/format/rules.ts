import Table from "cli-table3";
import { ATTACK_VERSION, techniqueLabel } from "../../core/rules/attack";
import type { ListedAlert } from "../../core/rules/listing";
import { cell as printable, tableStyle } from "../terminal";
import { severityCell } from "./table";

/** The severities of an alert for a cell: "high" or "high (also medium, critical)". */
function severities(a: ListedAlert): string {
  return a.otherSeverities.length ? `${a.severity} (also ${a.otherSeverities.join(", ")})` : a.severity;
}

/** `trailwatch rules` as a table for a terminal. */
export function rulesTable(list: readonly ListedAlert[], opts: { color?: boolean; width?: number } = {}): string {
  const width = Math.max(opts.width ?? 160, 110);
  const table = new Table({
    head: ["id", "severity", "kind", "title", "ATT&CK", "status"],
    colWidths: [38, 10, 16, Math.max(width - 116, 30), 28, 14],
    wordWrap: true,
    style: tableStyle(opts.color === true),
  });
  for (const a of list) table.push([printable(a.id), severityCell(a.severity, opts.color === true), a.kind, printable(a.title), printable(a.references.mitre.join(", ")), a.status]);
  const rules = list.filter((a) => a.kind === "rule").length;
  const thresholds = list.filter((a) => a.kind === "threshold rule").length;
  return `${table.toString()}\n${list.length} alerts: ${rules} rules, ${thresholds} threshold rules, ${list.length - rules - thresholds} raised by other capabilities (\`trailwatch rules --format markdown\` for runbooks)\n`;
}

/** `trailwatch rules --format json`: the listing as it is. */
export function rulesJson(list: readonly ListedAlert[]): string {
  return JSON.stringify(list, null, 2) + "\n";
}

/** Markdown table cells cannot hold pipes or newlines. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** `trailwatch rules --format markdown`, and `docs/rules.md`: a table, then every alert with its runbook. */
export function rulesMarkdown(list: readonly ListedAlert[]): string {
  const out: string[] = [
    "# Alerts",
    "",
    "Every alert a trailwatch deployment can raise: the rule catalog (single-event and threshold rules),",
    "and the alerts of the org-anomaly, scoring, trail-heartbeat and trail-guard capabilities. Generated",
    "by `npm run docs:rules` from the code (`functions/core/rules`); do not edit by hand.",
    "",
    `${list.length} alerts. ATT&CK: MITRE ATT&CK Enterprise v${ATTACK_VERSION} technique ids.`,
    "",
    "| id | severity | kind | status | title | ATT&CK |",
    "|---|---|---|---|---|---|",
    ...list.map((a) => `| [\`${a.id}\`](#${anchor(a.id)}) | ${severities(a)} | ${a.kind} | ${a.status} | ${cell(a.title)} | ${a.references.mitre.join(", ")} |`),
    "",
  ];
  for (const a of list) {
    out.push(`## ${a.id}`, "", `**${cell(a.title)}**: ${a.description}`, "");
    out.push(`- Severity: ${severities(a)}; status: ${a.status}; kind: ${a.kind}`);
    out.push(`- Watches: ${a.watches}`);
    if (a.threshold) out.push(`- Threshold (default): ${a.threshold}`);
    if (a.remediation) out.push(`- Remediation available: \`${a.remediation}\` (off unless configured)`);
    if (a.references.mitre.length) out.push(`- ATT&CK: ${a.references.mitre.map(techniqueLabel).join("; ")}`);
    if (a.references.stratus.length) out.push(`- Stratus Red Team: ${a.references.stratus.map((s) => `\`${s}\``).join(", ")}`);
    if (a.references.panther.length) out.push(`- Panther: ${a.references.panther.map((s) => `\`${s}\``).join(", ")}`);
    if (a.references.sigma.length) out.push(`- Sigma: ${a.references.sigma.join("; ")}`);
    // Detection Rule License 1.1: a rule derived from a Sigma rule names it and its author.
    if (a.references.derivedFrom.length) out.push(`- Ported from Sigma: ${a.references.derivedFrom.map((o) => `"${o.sigma}" by ${o.author}`).join("; ")} (Detection Rule License 1.1)`);
    if (a.references.urls.length) out.push(`- Read more: ${a.references.urls.map((u) => `<${u}>`).join(", ")}`);
    out.push("");
    if (a.falsePositives.length) out.push("Known false positives:", "", ...a.falsePositives.map((f) => `- ${f}`), "");
    if (a.runbook) {
      out.push("Runbook, check first:", "", ...a.runbook.triage.map((s, i) => `${i + 1}. ${s}`), "");
      out.push("Contain:", "", ...a.runbook.contain.map((s, i) => `${i + 1}. ${s}`), "");
    }
  }
  return out.join("\n");
}

/** GitHub's heading anchor for an id ("iam.root-activity" -> "iamroot-activity"). */
function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-");
}
