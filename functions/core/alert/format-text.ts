import type { Alert } from "./alert";
import { guidanceLines } from "./format-guidance";

/** Email subject: severity, rule and account first, so an inbox is readable at a glance (max 100 chars, SNS's limit). */
export function alertSubject(a: Alert): string {
  const s = `[trailwatch ${a.severity.toUpperCase()}] ${a.rule} in ${a.account}${a.region && a.region !== "unknown" ? ` (${a.region})` : ""}`;
  return toSnsSubject(s);
}

/** SNS subjects must be ASCII without newlines and at most 100 characters. */
export function toSnsSubject(s: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = s.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= 100 ? ascii : ascii.slice(0, 97) + "...";
}

function renderValue(v: unknown, indent: string): string[] {
  if (v === null || v === undefined) return [`${indent}-`];
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== "object" || x === null)) return [`${indent}${v.join(", ")}`];
    return v.flatMap((x, i) => [`${indent}- item ${i + 1}:`, ...renderValue(x, indent + "    ")]);
  }
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) =>
      x !== null && typeof x === "object" && !(Array.isArray(x) && x.every((y) => typeof y !== "object"))
        ? [`${indent}${k}:`, ...renderValue(x, indent + "  ")]
        : [`${indent}${k}: ${Array.isArray(x) ? x.join(", ") : String(x)}`],
    );
  }
  return [`${indent}${String(v)}`];
}

/** Email body written for a person: what happened, who, when, where, the facts, and what was done about it. */
export function alertText(a: Alert): string {
  const lines = [
    a.summary,
    "",
    `Severity:   ${a.severity}`,
    `Rule:       ${a.rule} (${a.title})`,
    `Who:        ${a.principal}${a.principalType ? ` [${a.principalType}]` : ""}`,
    `When:       ${a.eventTime}${a.occurrences && a.occurrences > 1 ? ` (${a.occurrences} times, last ${a.lastEventTime ?? a.eventTime})` : ""}`,
    `Where:      account ${a.account}, region ${a.region}`,
    `API call:   ${a.eventSource} ${a.eventName}${a.eventId ? ` (event id ${a.eventId})` : ""}`,
  ];
  const ctx = Object.entries(a.context ?? {}).filter(([, v]) => v !== undefined);
  if (ctx.length) lines.push("", "Details:", ...renderValue(Object.fromEntries(ctx), "  "));
  lines.push("", "Remediation:");
  if (!a.remediation) lines.push("  none configured for this rule (remediation is off unless enabled in the deployment config)");
  else lines.push(`  ${a.remediation.action} (${a.remediation.mode}): ${a.remediation.status}. ${a.remediation.detail}`);
  lines.push(...guidanceLines(a));
  const refs = [...(a.references?.mitre ?? []).map((m) => `MITRE ATT&CK ${m}`), ...(a.references?.stratus ?? []).map((s) => `Stratus Red Team ${s}`)];
  if (refs.length) lines.push("", `References: ${refs.join("; ")}`);
  lines.push("", `Alert id: ${a.id}`);
  return lines.join("\n");
}
