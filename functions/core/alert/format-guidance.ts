import type { Alert } from "./alert";
import { visible } from "./escape";

/**
 * The runbook's first steps an alert carries, as e-mail lines: what to check first, how to contain.
 * Empty when the alert carries none. The text comes from the rule definitions, not from the event,
 * but an alert read back from a queue or file may carry anything: every step is made visible
 * (`visible`), so none can add a line of its own.
 */
export function guidanceLines(a: Pick<Alert, "rule" | "runbook">): string[] {
  const rb = a.runbook;
  if (!rb || (rb.triage.length === 0 && rb.contain.length === 0)) return [];
  const lines = ["", "What to do first:"];
  rb.triage.forEach((s, i) => lines.push(`  ${i + 1}. Check: ${visible(s)}`));
  rb.contain.forEach((s, i) => lines.push(`  ${rb.triage.length + i + 1}. Contain: ${visible(s)}`));
  lines.push(`  The whole runbook: docs/rules.md (${visible(a.rule)}), or \`trailwatch rules --format markdown\`.`);
  return lines;
}
