import { accountOfRecord, actor, paramString } from "../helpers";
import { isActorCall } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal downloading the user data of many instances (DescribeInstanceAttribute with
 * `attribute: userData`) within a short time (Stratus "ec2-download-user-data"). Startup scripts often
 * hold credentials and say how the estate is built; a person debugging reads one instance's.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "ec2.user-data-read-burst",
  title: "User data of many instances downloaded",
  severity: "medium",
  description:
    "One principal read the user data (startup scripts) of many different EC2 instances within a short time. User data often carries secrets and bootstrap details; reading it across the fleet is a discovery and credential-harvesting step. Each read alone is `ec2.instance-secrets-read` (low, once per caller and hour).",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["DescribeInstanceAttribute"],
  includeFailedCalls: true,
  count: "distinct",
  match: (r, { principal }) => (paramString(r, "attribute") ?? "").toLowerCase() === "userdata" && isActorCall(r, principal),
  values: (r) => [paramString(r, "instanceId") ?? ""],
  summary: (b) => `${actor(b.principal)} downloaded the user data of ${b.count} instances ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  status: "stable",
  falsePositives: ["Security scanners and inventory tools that read user data to look for secrets (add their roles to `ignorePrincipals`)."],
  runbook: {
    triage: [
      "Who read the user data, from where, and with which tool (user agent)? Did the calls succeed?",
      "Read the user data of the instances listed: does it hold passwords, tokens or keys? Those are now exposed.",
    ],
    contain: [
      "If not expected: revoke the principal's session or keys and rotate every secret found in the user data read.",
      "Move secrets out of user data (Secrets Manager, SSM SecureString read at boot).",
    ],
  },
  references: {
    mitre: ["T1552.005", "T1580"],
    stratus: ["aws.discovery.ec2-download-user-data"],
    panther: ["AWS.EC2.DownloadInstanceUserData"],
    sigma: ["AWS EC2 Download Userdata"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceAttribute.html"],
  },
  settings: thresholdSettings({ threshold: 5, windowMinutes: 30, dedupMinutes: 360 }),
});
