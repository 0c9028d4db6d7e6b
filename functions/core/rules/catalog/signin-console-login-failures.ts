import type { Burst } from "../threshold-rule";
import { accountOfRecord, signinFailed } from "../helpers";
import { burstSpan, defineThresholdRule, thresholdSettings } from "../threshold-rule";

function who(b: Burst): string {
  return b.principal.type === "Root" ? "the root user" : `IAM user ${b.principal.name}`;
}

/**
 * Repeated failed console sign-ins of one user (or of root) within minutes: password guessing, or
 * someone with the password failing the MFA step. Counted per target user; failures of user names
 * that do not exist are logged as `HIDDEN_DUE_TO_SECURITY_REASONS` and count together.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "signin.console-login-failures",
  title: "Repeated failed console sign-ins",
  severity: "medium",
  description:
    "Console sign-ins of one IAM user or of the root user failed several times within minutes: someone is guessing the password, or has it and keeps failing the MFA step. Each failure alone is `signin.console-login-failed` (low, once per user, address and hour).",
  eventSources: ["signin.amazonaws.com"],
  eventNames: ["ConsoleLogin"],
  identityTypes: ["IAMUser", "Root"],
  includeFailedCalls: true,
  count: "events",
  match: (r) => signinFailed(r),
  label: (r) => `from ${typeof r.sourceIPAddress === "string" ? r.sourceIPAddress : "unknown address"}`,
  summary: (b) => `${b.count} console sign-ins of ${who(b)} failed ${burstSpan(b)} (${b.values.slice(0, 3).join(", ")}) in account ${accountOfRecord(b.record)}`,
  severityFor: (b) => (b.principal.type === "Root" ? "high" : "medium"),
  status: "stable",
  falsePositives: ["A person who forgot a changed password or whose MFA device clock drifted (a few failures, then a success from the same address)."],
  runbook: {
    triage: [
      "From which addresses (context.values) and did a successful sign-in follow? A success from the same address right after failures means the guess worked.",
      "Ask the user whether it was them; for root, find who holds the root credentials.",
    ],
    contain: [
      "If not the user: reset the password, make sure MFA is on, and review the account's sign-ins and recent changes; for root, rotate the password and check the MFA device.",
    ],
  },
  references: {
    mitre: ["T1110.001", "T1078.004"],
    panther: ["AWS.Console.RootLoginFailed", "AWS.Unsuccessful.MFA.attempt", "Standard.BruteForceByUser", "Standard.BruteForceByIP"],
    sigma: ["AWS ConsoleLogin Failed Authentication"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html"],
  },
  settings: thresholdSettings({ threshold: 5, windowMinutes: 15, dedupMinutes: 60 }),
});
