import { accountOfRecord, actor, paramString } from "../helpers";
import { isActorCall } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal opening Session Manager shells on many different instances within a short time
 * (Stratus "ssm-start-session"). An operator usually works on one or two instances at a time.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "ssm.start-session-many-instances",
  title: "Session Manager sessions to many instances",
  severity: "medium",
  description:
    "One principal started Session Manager sessions on many different instances within a short time: interactive shells across a fleet, without SSH keys or open ports. Sessions are counted whoever opens them, Identity Center included; a single session from IAM user keys or another role is `ssm.remote-access-to-instance` (low).",
  eventSources: ["ssm.amazonaws.com"],
  eventNames: ["StartSession"],
  count: "distinct",
  match: (r, { principal }) => isActorCall(r, principal),
  values: (r) => [paramString(r, "target") ?? ""],
  summary: (b) => `${actor(b.principal)} started Session Manager sessions on ${b.count} instances ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  status: "experimental",
  falsePositives: ["An operator investigating an incident across several instances.", "Port-forwarding tools that open sessions to many targets."],
  runbook: {
    triage: [
      "Who opened the sessions and from where? Session Manager keeps session history (`aws ssm describe-sessions --state History`) and, when logging is on, the commands typed.",
      "Was there a change request or incident that explains the instances listed (context.values)?",
    ],
    contain: [
      "If not expected: terminate active sessions (`aws ssm terminate-session`), revoke the principal's session, and review the instances for changes.",
      "Limit `ssm:StartSession` to tagged instances and enable session logging to S3 or CloudWatch Logs.",
    ],
  },
  references: {
    mitre: ["T1651", "T1021.007"],
    stratus: ["aws.execution.ssm-start-session"],
    urls: ["https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-logging.html"],
  },
  settings: thresholdSettings({ threshold: 3, windowMinutes: 30, dedupMinutes: 240 }),
});
