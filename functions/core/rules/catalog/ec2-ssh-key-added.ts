import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

function summaryOf(r: CloudTrailRecord): string {
  switch (r.eventName) {
    case "ImportKeyPair": return `imported EC2 key pair ${paramString(r, "keyName") ?? "(unnamed)"}`;
    case "CreateKeyPair": return `created EC2 key pair ${paramString(r, "keyName") ?? "(unnamed)"}`;
    case "EnableSerialConsoleAccess": return "enabled EC2 serial console access";
    default: return `pushed an SSH key for the serial console of instance ${paramString(r, "instanceId") ?? "(unnamed)"}`;
  }
}

/**
 * New ways in to EC2 instances: a key pair imported or created (info: routine for infrastructure as
 * code, but the key an attacker launches instances with), serial console access enabled for the
 * account, or an SSH key pushed to an instance's serial console (medium: a console session that
 * bypasses security groups and network controls).
 */
export default defineRule({
  id: "ec2.ssh-key-added",
  title: "EC2 key pair added or serial console opened",
  severity: "info",
  description:
    "An EC2 key pair was imported or created, serial console access enabled, or an SSH key pushed to an instance's serial console, which gives a console on the instance regardless of its network.",
  eventSources: ["ec2.amazonaws.com", "ec2-instance-connect.amazonaws.com"],
  eventNames: ["ImportKeyPair", "CreateKeyPair", "EnableSerialConsoleAccess", "SendSerialConsoleSSHPublicKey"],
  match: () => true,
  severityFor: (r) => (r.eventName.endsWith("KeyPair") ? "info" : "medium"),
  summary: (r, { principal }) => `${actor(principal)} ${summaryOf(r)} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({
    action: r.eventName,
    keyName: paramString(r, "keyName"),
    instanceId: paramString(r, "instanceId"),
    serialPort: r.requestParameters?.["serialPort"],
  }),
  status: "stable",
  falsePositives: [
    "Terraform or CloudFormation creating key pairs for new environments.",
    "Administrators using the serial console to repair an instance that lost network access.",
  ],
  runbook: {
    triage: [
      "For key pairs: who imported it, and which instances were launched with it afterwards (RunInstances keyName)?",
      "For the serial console: was access enabled by your platform team for a repair ticket? Which instance, and who pushed the key?",
    ],
    contain: [
      "Delete unknown key pairs and stop instances launched with them; disable serial console access (DisableSerialConsoleAccess).",
      "Restrict ec2-instance-connect:SendSerialConsoleSSHPublicKey and ec2:EnableSerialConsoleAccess with an SCP.",
    ],
  },
  references: {
    mitre: ["T1098.004", "T1021.008"],
    stratus: ["aws.lateral-movement.ec2-serial-console-send-ssh-public-key"],
    sigma: ["AWS Key Pair Import Activity"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableSerialConsoleAccess.html"],
  },
});
