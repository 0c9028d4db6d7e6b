import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, shortName, trailArnOf } from "../helpers";

/** Error codes that mean "you may not", as opposed to a typo or a missing trail. */
const DENIED = /AccessDenied|Unauthorized|NotOrganization(Master|Management)Account|Forbidden/i;

/**
 * A failed attempt to stop, delete or narrow CloudTrail logging because the caller was not allowed to.
 * Legitimate operators rarely try; an attacker probing what the stolen credentials can do often does
 * (Panther's stolen-root scenario tries StopLogging on an organization trail from a member account).
 */
export default defineRule({
  id: "cloudtrail.tamper-denied",
  title: "Attempt to tamper with CloudTrail was denied",
  severity: "medium",
  description:
    "A call that would stop, delete or narrow CloudTrail logging failed because the caller lacked permission (AccessDenied, or a member account trying to change an organization trail). Nothing changed, but someone tried: check who, from where, and what else they did.",
  eventSources: ["cloudtrail.amazonaws.com"],
  eventNames: ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors", "DeleteEventDataStore", "StopEventDataStoreIngestion"],
  includeFailedCalls: true,
  match: (r) => typeof r.errorCode === "string" && DENIED.test(r.errorCode),
  severityFor: (r, { principal }) => (principal.type === "Root" ? "high" : "medium"),
  summary: (r, { principal }) =>
    `${actor(principal)} tried ${r.eventName} on ${shortName(trailArnOf(r)) ?? "CloudTrail"} in account ${accountOfRecord(r)} and was denied (${r.errorCode})`,
  context: (r) => ({ attempted: r.eventName, trail: shortName(trailArnOf(r)), trailArn: trailArnOf(r) }),
  dedupKey: (r, { principal }) => `${accountOfRecord(r)}|${principal.id}|${r.eventName}|${hourOf(r)}`,
  status: "stable",
  falsePositives: [
    "A member-account administrator trying to edit an organization trail, not knowing it is managed centrally.",
    "Infrastructure-as-code plans run with a read-mostly role that includes trail resources.",
  ],
  runbook: {
    triage: [
      "Who tried, from where, and with which client? A denied tamper attempt is often the first visible step of someone testing stolen credentials.",
      "What else did the same principal try in the same session (other denied calls, discovery)?",
    ],
    contain: [
      "If unexpected: revoke the principal's sessions or keys and review its permissions; keep the SCP or policy that blocked it.",
    ],
  },
  references: { mitre: ["T1562.008"], stratus: ["aws.defense-evasion.cloudtrail-stop", "aws.defense-evasion.cloudtrail-delete"], sigma: ["AWS CloudTrail Important Change"], urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html"] },
});
