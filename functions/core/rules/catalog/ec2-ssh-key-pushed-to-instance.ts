import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

interface Push {
  severity: Severity;
  what: string;
}

function push(r: CloudTrailRecord): Push | undefined {
  if (calledByAwsService(r)) return undefined;
  switch (r.eventName) {
    case "SendSSHPublicKey":
      return { severity: "low", what: `pushed a temporary SSH key for user ${paramString(r, "instanceOSUser") ?? "(unknown)"} to instance ${paramString(r, "instanceId") ?? "(unknown)"} with EC2 Instance Connect` };
    case "SendSerialConsoleSSHPublicKey":
      return { severity: "medium", what: `pushed an SSH key to the serial console of instance ${paramString(r, "instanceId") ?? "(unknown)"}` };
    case "EnableSerialConsoleAccess":
      return { severity: "medium", what: "enabled EC2 serial console access for the account" };
    default:
      return undefined;
  }
}

/** The key's algorithm ("ssh-ed25519"), never the key itself. */
function keyType(r: CloudTrailRecord): string | undefined {
  const k = paramString(r, "sSHPublicKey") ?? paramString(r, "sshPublicKey");
  const t = k?.trim().split(/\s+/)[0];
  return t && /^[a-z0-9@.-]{3,40}$/i.test(t) ? t : undefined;
}

/**
 * SSH keys pushed to instances through EC2 Instance Connect (low: people use it to log in) or the
 * serial console (medium: a console that bypasses the network and security groups, rarely used), and
 * serial console access enabled for the account (medium). Stratus "ec2-instance-connect" and
 * "ec2-serial-console-send-ssh-public-key". Instance Connect pushes collapse per caller and hour; the
 * alert's occurrences say how many instances were reached.
 */
export default defineRule<undefined, Push>({
  id: "ec2.ssh-key-pushed-to-instance",
  title: "SSH key pushed to an instance",
  severity: "low",
  status: "experimental",
  description:
    "Someone pushed a temporary SSH public key to an instance with EC2 Instance Connect or to its serial console, or enabled serial console access. Whoever holds the matching private key can log in for the next minute; the serial console even reaches instances with no network path.",
  eventSources: ["ec2-instance-connect.amazonaws.com", "ec2.amazonaws.com"],
  eventNames: ["SendSSHPublicKey", "SendSerialConsoleSSHPublicKey", "EnableSerialConsoleAccess"],
  match: (r) => push(r),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) => `${actor(principal)} ${m.what} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }, m) => (m.severity === "low" ? `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${hourOf(r)}` : (r.eventID ?? `${principal.id}|${r.eventName}|${r.eventTime}`)),
  context: (r) => ({
    call: r.eventName,
    instanceId: paramString(r, "instanceId"),
    osUser: paramString(r, "instanceOSUser"),
    serialPort: r.requestParameters?.serialPort,
    keyType: keyType(r),
  }),
  falsePositives: [
    "Administrators connecting with EC2 Instance Connect from the console or the CLI (low).",
    "Break-glass use of the serial console to repair an instance that lost its network.",
  ],
  runbook: {
    triage: [
      "Did the caller need a shell on this instance? Check the principal, the source IP and the user agent.",
      "How many instances did the same caller reach in the hour (occurrences, and SendSSHPublicKey by the principal)?",
      "On the instance: which commands ran after the login (shell history, CloudWatch agent logs, Session Manager logs if used)?",
    ],
    contain: [
      "Revoke the caller's sessions or keys if the access was not expected.",
      "Deny ec2-instance-connect:SendSSHPublicKey and ec2-instance-connect:SendSerialConsoleSSHPublicKey to those who do not need them, and disable serial console access (ec2 disable-serial-console-access).",
      "Treat the reached instances as compromised: rotate the instance role's credentials and any secrets on them.",
    ],
  },
  references: {
    mitre: ["T1021.004", "T1098.004"],
    stratus: ["aws.lateral-movement.ec2-instance-connect", "aws.lateral-movement.ec2-serial-console-send-ssh-public-key"],
    panther: ["AWS.EC2.MultiInstanceConnect"],
  },
});
