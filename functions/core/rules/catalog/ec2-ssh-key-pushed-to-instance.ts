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
    "Someone pushed a temporary SSH public key to an instance with EC2 Instance Connect. Whoever holds the matching private key can log in for the next minute; pushing keys to many instances is how an attacker moves between them.",
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
    "Administrators connecting with EC2 Instance Connect from the console or the CLI (low).",
  ],
  runbook: {
    triage: [
      "Did the caller need a shell on this instance? Check the principal, the source IP and the user agent.",
      "How many instances did the same caller reach in the hour (occurrences, and SendSSHPublicKey by the principal)?",
      "On the instance: which commands ran after the login (shell history, CloudWatch agent logs, Session Manager logs if used)?",
    ],
    contain: [
      "Revoke the caller's sessions or keys if the access was not expected.",
      "Deny ec2-instance-connect:SendSSHPublicKey to those who do not need it (or limit it with ec2:osuser and resource tags).",
      "Treat the reached instances as compromised: rotate the instance role's credentials and any secrets on them.",
    ],
  },
  references: {
    mitre: ["T1021.004", "T1098.004"],
    stratus: ["aws.lateral-movement.ec2-instance-connect"],
    panther: ["AWS.EC2.MultiInstanceConnect"],
  },
});
