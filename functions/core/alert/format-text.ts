import type { Alert } from "./alert";
import { boundAlert } from "./bound";
import { visible, visibleValue } from "./escape";
import { guidanceLines } from "./format-guidance";

/** SNS's limit on a subject, in characters. */
export const SNS_SUBJECT_MAX = 100;

/** Most UTF-8 bytes of an e-mail text; the details are cut with a note past this. */
export const ALERT_TEXT_MAX_BYTES = 64 * 1024;

/** Email subject: severity, rule and account first, so an inbox is readable at a glance (max 100 chars, SNS's limit). */
export function alertSubject(a: Alert): string {
  const s = `[trailwatch ${String(a.severity).toUpperCase()}] ${a.rule} in ${a.account}${a.region && a.region !== "unknown" ? ` (${a.region})` : ""}`;
  return toSnsSubject(s);
}

/**
 * SNS subjects must be printable ASCII, without line breaks or control characters, at most 100
 * characters and not empty: anything else becomes `?`, and a longer subject ends in `...`.
 */
export function toSnsSubject(s: string): string {
  const ascii = String(s).replace(/[^\x20-\x7e]/gu, "?").trim();
  if (ascii === "") return "trailwatch alert";
  return ascii.length <= SNS_SUBJECT_MAX ? ascii : ascii.slice(0, SNS_SUBJECT_MAX - 3) + "...";
}

const isScalar = (x: unknown) => x === null || typeof x !== "object";
const scalarText = (x: unknown) => (x === null || x === undefined ? "-" : visibleValue(x));
const isScalarList = (x: unknown): x is unknown[] => Array.isArray(x) && x.every(isScalar);

/**
 * The details as indented lines. The value is bounded first (`boundAlert`), so the recursion is at
 * most CONTEXT_LIMITS.maxDepth deep; every key and value is made visible, so each stays on its line.
 */
function renderValue(v: unknown, indent: string, out: string[]): void {
  if (isScalar(v)) {
    out.push(`${indent}${scalarText(v)}`);
    return;
  }
  if (Array.isArray(v)) {
    if (isScalarList(v)) {
      out.push(`${indent}${v.map(scalarText).join(", ")}`);
      return;
    }
    v.forEach((x, i) => {
      out.push(`${indent}- item ${i + 1}:`);
      renderValue(x, indent + "    ", out);
    });
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (isScalar(x) || isScalarList(x)) out.push(`${indent}${visible(k)}: ${Array.isArray(x) ? x.map(scalarText).join(", ") : scalarText(x)}`);
    else {
      out.push(`${indent}${visible(k)}:`);
      renderValue(x, indent + "  ", out);
    }
  }
}

/** Keeps lines while they fit in `maxBytes`; says so when some were left out. */
function capLines(lines: string[], maxBytes: number, note: string): string[] {
  let bytes = 0;
  for (let i = 0; i < lines.length; i++) {
    bytes += Buffer.byteLength(lines[i]!) + 1;
    if (bytes > maxBytes) return [...lines.slice(0, i), note];
  }
  return lines;
}

/**
 * Email body written for a person: what happened, who, when, where, the facts, and what was done
 * about it. Every value from a record (names, summary, details, remediation detail) is made visible
 * (`visible`): a line break inside one is written as `\n`, so no record can add a line such as
 * "Severity: low" or "Remediation: succeeded" of its own; the runbook's first steps are escaped
 * the same way. Never throws; at most 64 KiB.
 */
export function alertText(alert: Alert): string {
  const a = boundAlert(alert);
  const v = visible;
  const head = [
    v(a.summary),
    "",
    `Severity:   ${visibleValue(a.severity)}`,
    `Rule:       ${v(a.rule)} (${v(a.title)})`,
    `Who:        ${v(a.principal)}${a.principalType ? ` [${v(a.principalType)}]` : ""}`,
    `When:       ${v(a.eventTime)}${a.occurrences && a.occurrences > 1 ? ` (${a.occurrences} times, last ${v(a.lastEventTime ?? a.eventTime)})` : ""}`,
    `Where:      account ${v(a.account)}, region ${v(a.region)}`,
    `API call:   ${v(a.eventSource)} ${v(a.eventName)}${a.eventId ? ` (event id ${v(a.eventId)})` : ""}`,
  ];
  const tail: string[] = ["", "Remediation:"];
  if (!a.remediation) tail.push("  none configured for this rule (remediation is off unless enabled in the deployment config)");
  else {
    tail.push(`  ${v(a.remediation.action)} (${a.remediation.mode}): ${a.remediation.status}. ${v(a.remediation.detail)}`);
    const c = a.remediation.checks;
    if (c) {
      tail.push(`  Verified:   ${c.verifiedBy === "eventbridge" ? "delivered by EventBridge" : c.verifiedBy === "lookup-events" ? "matches CloudTrail's event history (LookupEvents)" : "no"}`);
      if (c.refused) tail.push(`  Refused:    ${v(c.refused)}`);
      if (c.found) tail.push(`  Found:      ${v(c.found)}`);
      if (c.done) tail.push(`  Done:       ${v(c.done)}`);
    }
  }
  tail.push(...guidanceLines(a));
  const refs = [...(a.references?.mitre ?? []).map((m) => `MITRE ATT&CK ${v(m)}`), ...(a.references?.stratus ?? []).map((s) => `Stratus Red Team ${v(s)}`)];
  if (refs.length) tail.push("", `References: ${refs.join("; ")}`);
  tail.push("", `Alert id: ${v(a.id)}`);

  const details: string[] = [];
  if (Object.keys(a.context).length) {
    details.push("", "Details:");
    renderValue(a.context, "  ", details);
  }
  const fixed = Buffer.byteLength([...head, ...tail].join("\n"));
  const shown = capLines(details, ALERT_TEXT_MAX_BYTES - fixed - 200, "  [truncated: the details are longer than an e-mail may be; the alert JSON (Splunk, queues) has them]");
  return [...head, ...shown, ...tail].join("\n");
}
