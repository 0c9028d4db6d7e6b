import { accountOfRecord, actor, paramString } from "../helpers";
import { isActorCall } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal pushing SSH keys to many different instances with EC2 Instance Connect within a
 * short time (Stratus "ec2-instance-connect"): each SendSSHPublicKey opens a 60-second window to log
 * in as the OS user given, so keys pushed across the fleet are lateral movement.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "ec2.instance-connect-many-instances",
  title: "SSH keys pushed to many instances",
  severity: "medium",
  description:
    "One principal used EC2 Instance Connect (SendSSHPublicKey) to push SSH keys to many different instances within a short time, each good for a login in the next 60 seconds. Each push alone is `ec2.ssh-key-pushed-to-instance` (low, once per caller and hour).",
  eventSources: ["ec2-instance-connect.amazonaws.com"],
  eventNames: ["SendSSHPublicKey"],
  count: "distinct",
  match: (r, { principal }) => isActorCall(r, principal),
  values: (r) => [paramString(r, "instanceId") ?? ""],
  summary: (b) => `${actor(b.principal)} pushed SSH keys to ${b.count} instances with EC2 Instance Connect ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  context: (b) => ({ osUser: paramString(b.record, "instanceOSUser") }),
  status: "stable",
  falsePositives: ["An operator logging in to several instances in turn during maintenance (Instance Connect in the console pushes a key per login)."],
  runbook: {
    triage: [
      "Who pushed the keys, from which address, and as which OS user (context.osUser)? Compare with the instances' SSH logs for logins right after each push.",
      "Were the instances reachable on port 22 from that address (security groups, EC2 Instance Connect Endpoint)?",
    ],
    contain: [
      "If not expected: revoke the principal's session and remove `ec2-instance-connect:SendSSHPublicKey` from it; check the instances for new authorized keys, users and processes.",
    ],
  },
  references: {
    mitre: ["T1021.008", "T1098.004"],
    stratus: ["aws.lateral-movement.ec2-instance-connect"],
    panther: ["AWS.EC2.MultiInstanceConnect"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-connect-methods.html"],
  },
  settings: thresholdSettings({ threshold: 3, windowMinutes: 60, dedupMinutes: 240 }),
});
