import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, patternListSchema, firstMatchingPattern } from "../helpers";

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions for log groups that hold security or audit logs. */
  securityLogGroupPatterns: patternListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

function isSecurityGroup(group: string, s: Settings): boolean {
  return firstMatchingPattern(s.securityLogGroupPatterns, group) !== undefined;
}

function groupOf(r: CloudTrailRecord): string {
  return paramString(r, "logGroupName") ?? paramString(r, "logGroupIdentifier") ?? "";
}

/**
 * CloudWatch Logs data or forwarding removed: a log group deleted (any group, low; a security log
 * group such as CloudTrail, VPC flow logs, DNS or WAF, high), a stream deleted from a security log
 * group, or a subscription filter removed (it forwards logs to a SIEM or a detector).
 * SID341's "deleting logs" detection, with the noise of routine teardown kept at low severity.
 */
export default defineRule<Settings>({
  id: "logs.logging-removed",
  title: "CloudWatch Logs group, stream or forwarding removed",
  severity: "low",
  description:
    "A CloudWatch Logs group was deleted, a stream deleted from a security log group, or a subscription filter that forwards logs elsewhere was removed. Deleted log data cannot be recovered; for security log groups (CloudTrail, flow logs, DNS, WAF, audit) this destroys evidence.",
  eventSources: ["logs.amazonaws.com"],
  eventNames: ["DeleteLogGroup", "DeleteLogStream", "DeleteSubscriptionFilter"],
  match: (r, { settings }) => (r.eventName === "DeleteLogStream" ? isSecurityGroup(groupOf(r), settings) : true),
  severityFor: (r, { settings }) => {
    const sec = isSecurityGroup(groupOf(r), settings);
    if (r.eventName === "DeleteLogGroup") return sec ? "high" : "low";
    return sec ? "medium" : "low";
  },
  summary: (r, { principal }) => {
    const g = groupOf(r) || "(unknown)";
    if (r.eventName === "DeleteLogGroup") return `${actor(principal)} deleted log group ${g} in account ${accountOfRecord(r)}`;
    if (r.eventName === "DeleteLogStream") return `${actor(principal)} deleted log stream ${paramString(r, "logStreamName") ?? "(unknown)"} from log group ${g} in account ${accountOfRecord(r)}`;
    return `${actor(principal)} removed subscription filter ${paramString(r, "filterName") ?? "(unknown)"} from log group ${g} in account ${accountOfRecord(r)}: its logs are no longer forwarded`;
  },
  context: (r, { settings }) => ({
    logGroup: groupOf(r) || undefined,
    logStream: paramString(r, "logStreamName"),
    subscriptionFilter: paramString(r, "filterName"),
    securityLogGroup: isSecurityGroup(groupOf(r), settings),
  }),
  status: "stable",
  falsePositives: [
    "Deleting log groups of decommissioned functions (low severity).",
    "Replacing a subscription filter with a new destination.",
  ],
  runbook: {
    triage: [
      "What was removed (context), and is it a security log group?",
      "Who removed it, and what else did they change?",
    ],
    contain: [
      "Recreate the log group or subscription from infrastructure code; deleted log data is gone, so look for copies in the destination of the subscription.",
    ],
  },
  references: { mitre: ["T1562.008"], urls: ["https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html"] },
  settings: {
    schema: settingsSchema,
    defaults: { securityLogGroupPatterns: ["cloudtrail", "(^|[^a-z])trail", "flow[-_]?logs?", "vpc", "guardduty", "securityhub", "waf", "route53|resolver|dns", "audit", "security", "trailwatch"] },
  },
});
