import type { Alert } from "../alert/alert";
import type { Runbook } from "./rule";

/**
 * Steps of a runbook an alert carries: enough to act on at once, small enough for every SNS message.
 * Lambda bundles keep only these steps of each rule (modules/lambda-function/rule-docs.ts).
 */
export const TRIAGE_STEPS = 2;
export const CONTAIN_STEPS = 1;
const MAX_STEP_CHARS = 300;

/**
 * The runbook's first steps for an alert (`{}` when the rule has no runbook). The alert carries them
 * rather than each sink looking them up, so the e-mail, Splunk and JSON Lines all say the same without
 * bundling the catalog into every function; the whole runbook is in `docs/rules.md` and
 * `trailwatch rules --format markdown`.
 */
export function alertGuidance(rule: { runbook?: Runbook }): Pick<Alert, "runbook"> {
  const rb = rule.runbook;
  if (!rb) return {};
  const cut = (s: string) => (s.length > MAX_STEP_CHARS ? s.slice(0, MAX_STEP_CHARS - 3) + "..." : s);
  return { runbook: { triage: rb.triage.slice(0, TRIAGE_STEPS).map(cut), contain: rb.contain.slice(0, CONTAIN_STEPS).map(cut) } };
}
