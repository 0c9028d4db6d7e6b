import type { Alert } from "./alert";

/**
 * The runbook's first steps an alert carries, as e-mail lines: what to check first, how to contain.
 * Empty when the alert carries none. The text comes from the rule definitions, not from the event.
 */
export function guidanceLines(a: Pick<Alert, "rule" | "runbook">): string[] {
  const rb = a.runbook;
  if (!rb || (rb.triage.length === 0 && rb.contain.length === 0)) return [];
  const lines = ["", "What to do first:"];
  rb.triage.forEach((s, i) => lines.push(`  ${i + 1}. Check: ${s}`));
  rb.contain.forEach((s, i) => lines.push(`  ${rb.triage.length + i + 1}. Contain: ${s}`));
  lines.push(`  The whole runbook: docs/rules.md (${a.rule}), or \`trailwatch rules --format markdown\`.`);
  return lines;
}
