import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, patternListSchema, firstMatchingPattern } from "../helpers";

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions for rules that route security events (alerts, remediation, forwarding). */
  securityRulePatterns: patternListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

function isSecurityRule(name: string, s: Settings): boolean {
  return firstMatchingPattern(s.securityRulePatterns, name) !== undefined;
}

function ruleName(r: CloudTrailRecord): string {
  return paramString(r, "name") ?? "";
}

/**
 * An EventBridge rule disabled or deleted. Rules wire security events to alerts and remediation
 * (trailwatch's own trail guard is one); turning one off silences everything behind it. Rules managed
 * by AWS services (the AWSService identity) are not reported; others are low unless their name marks
 * them as security rules.
 */
export default defineRule<Settings>({
  id: "events.rule-disabled",
  title: "EventBridge rule disabled or deleted",
  severity: "low",
  description:
    "An EventBridge rule was disabled or deleted. If it routed security events (GuardDuty, Security Hub, CloudTrail tamper alerts, trailwatch's trail guard), those events no longer reach anyone.",
  eventSources: ["events.amazonaws.com"],
  eventNames: ["DisableRule", "DeleteRule"],
  match: (r) => r.userIdentity?.type !== "AWSService",
  severityFor: (r, { settings }) => (isSecurityRule(ruleName(r), settings) ? "high" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.eventName === "DisableRule" ? "disabled" : "deleted"} EventBridge rule ${ruleName(r) || "(unknown)"}${paramString(r, "eventBusName") ? ` on bus ${paramString(r, "eventBusName")}` : ""} in account ${accountOfRecord(r)}`,
  context: (r, { settings }) => ({ rule: ruleName(r) || undefined, eventBus: paramString(r, "eventBusName"), securityRule: isSecurityRule(ruleName(r), settings) }),
  status: "stable",
  falsePositives: [
    "Deployments that replace rules (delete and recreate) through infrastructure code.",
    "Disabling noisy non-security rules during maintenance.",
  ],
  runbook: {
    triage: [
      "What did the rule route (its event pattern and targets) and is it a security rule (severity high)?",
      "Who disabled or deleted it and was it part of a deployment?",
    ],
    contain: [
      "Re-enable or recreate the rule from infrastructure code; for security rules, check what events were missed meanwhile.",
    ],
  },
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.CloudTrail.SecurityConfigurationChange"],
    urls: ["https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html"],
  },
  settings: {
    schema: settingsSchema,
    defaults: { securityRulePatterns: ["guardduty", "securityhub", "security", "cloudtrail", "trail", "config", "alert", "alarm", "remediat", "macie", "inspector", "access[-_]?analyzer", "trailwatch", "siem", "soc"] },
  },
});
