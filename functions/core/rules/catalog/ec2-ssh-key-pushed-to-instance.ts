import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

/** The key's algorithm ("ssh-ed25519"), never the key itself. */
function keyType(r: CloudTrailRecord): string | undefined {
  const k = paramString(r, "sSHPublicKey") ?? paramString(r, "sshPublicKey");
  const t = k?.trim().split(/\s+/)[0];
  return t && /^[a-z0-9@.-]{3,40}$/i.test(t) ? t : undefined;
}

/**
 * SSH keys pushed to instances through EC2 Instance Connect (Stratus "ec2-instance-connect"). People
 * use it to log in, so it is low and collapses per caller and hour; the alert's occurrences say how
 * many instances were reached. Serial console keys and serial console access are `ec2.ssh-key-added`'s.
 */
export default defineRule({
  id: "ec2.ssh-key-pushed-to-instance",
  title: "SSH key pushed to an instance",
  severity: "low",
  status: "experimental",
  description:
    "A temporary SSH key was pushed to an instance with EC2 Instance Connect: whoever holds the private key can log in for the next minute. Each caller is reported at most once an hour, at low; keys pushed to many instances within minutes are `ec2.instance-connect-many-instances` (medium).",
  eventSources: ["ec2-instance-connect.amazonaws.com"],
  eventNames: ["SendSSHPublicKey"],
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} pushed a temporary SSH key for user ${paramString(r, "instanceOSUser") ?? "(unknown)"} to instance ${paramString(r, "instanceId") ?? "(unknown)"} in account ${accountOfRecord(r)} with EC2 Instance Connect`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${hourOf(r)}`,
  context: (r) => ({
    call: r.eventName,
    instanceId: paramString(r, "instanceId"),
    osUser: paramString(r, "instanceOSUser"),
    keyType: keyType(r),
  }),
  falsePositives: [
    "Administrators connecting with EC2 Instance Connect.",
  ],
  runbook: {
    triage: [
      "Did the caller need a shell there? How many instances in the hour (occurrences)?",
      "What ran on the instance after the login?",
    ],
    contain: [
      "Revoke the caller's credentials if not expected; limit ec2-instance-connect:SendSSHPublicKey (ec2:osuser, tags).",
    ],
  },
  references: {
    mitre: ["T1021.008", "T1098.004"],
    stratus: ["aws.lateral-movement.ec2-instance-connect"],
    panther: ["AWS.EC2.MultiInstanceConnect"],
    urls: ["https://docs.aws.amazon.com/ec2-instance-connect/latest/APIReference/API_SendSSHPublicKey.html"],
  },
});
