import { accountOfRecord, actor, dig, paramString, stringList } from "../helpers";
import { isActorCall } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal running SSM Run Command (SendCommand) on many different instances within a short
 * time (Stratus "ssm-send-command"): commands run as root on every target, so it is a way to execute
 * code across a fleet without logging in. Counted: distinct instance ids; a command sent to a tag
 * target counts once, as its targets (fleet-wide patching by tag is routine).
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "ssm.send-command-many-instances",
  title: "Commands sent to many instances",
  severity: "medium",
  description:
    "One principal used SSM Run Command (SendCommand) on many different instances within a short time. Commands run with root or SYSTEM rights on each instance. Each shell command alone is `ssm.remote-access-to-instance` (low, once per caller and hour).",
  eventSources: ["ssm.amazonaws.com"],
  eventNames: ["SendCommand"],
  count: "distinct",
  match: (r, { principal }) => isActorCall(r, principal),
  values: (r) => {
    const ids = stringList(dig(r.requestParameters, "instanceIds"));
    if (ids.length > 0) return ids;
    const targets = dig(r.requestParameters, "targets");
    return targets !== undefined ? [`targets ${JSON.stringify(targets).slice(0, 80)}`] : [];
  },
  summary: (b) => `${actor(b.principal)} sent SSM commands to ${b.count} instances ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  context: (b) => ({ documentName: paramString(b.record, "documentName") }),
  status: "experimental",
  falsePositives: [
    "Operators running the same command on a handful of instances by instance id (patching, collecting logs).",
    "Automation that targets instances by id rather than by tag (add its role to `ignorePrincipals`).",
  ],
  runbook: {
    triage: [
      "Who sent the commands, which document (context.documentName) and to which instances? Read the command's parameters with `aws ssm list-commands --command-id` (CloudTrail hides them).",
      "Check the command output (`aws ssm get-command-invocation`) on one instance: what did it run?",
    ],
    contain: [
      "If not expected: revoke the principal's session, cancel running commands (`aws ssm cancel-command`), and isolate the instances it reached.",
      "Restrict `ssm:SendCommand` to the documents and instance tags each role needs.",
    ],
  },
  references: {
    mitre: ["T1651"],
    stratus: ["aws.execution.ssm-send-command"],
    panther: ["AWS.SSM.DistributedCommand"],
    sigma: ["Potential Malicious Usage of CloudTrail System Manager"],
    urls: ["https://docs.aws.amazon.com/systems-manager/latest/userguide/run-command.html"],
  },
  settings: thresholdSettings({ threshold: 3, windowMinutes: 30, dedupMinutes: 240 }),
});
