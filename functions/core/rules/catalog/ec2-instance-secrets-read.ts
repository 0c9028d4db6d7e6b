import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

/** What the call reads: the instance's user data, or the encrypted Windows administrator password. */
function secretRead(r: CloudTrailRecord): "user data" | "Windows administrator password" | undefined {
  if (r.eventName === "GetPasswordData") return "Windows administrator password";
  return paramString(r, "attribute") === "userData" ? "user data" : undefined;
}

/**
 * Someone read an instance's user data (DescribeInstanceAttribute userData) or its Windows
 * administrator password (GetPasswordData). Startup scripts routinely hold credentials, and the
 * password data opens an RDP session to anyone holding the key pair (Stratus "ec2-download-user-data",
 * "ec2-get-password-data"). Failed attempts count too: a refused read is still someone looking. One
 * read is low and collapses per caller and hour; reads across many instances are the threshold rule
 * `ec2.password-data-read-burst`'s job.
 */
export default defineRule({
  id: "ec2.instance-secrets-read",
  title: "EC2 user data or Windows password read",
  severity: "low",
  status: "experimental",
  description:
    "Someone read the user data (startup script) or the Windows administrator password data of an EC2 instance, or tried to. User data often holds credentials and the password data gives an administrator login; attackers read both right after getting keys.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["DescribeInstanceAttribute", "GetPasswordData"],
  includeFailedCalls: true,
  match: (r) => secretRead(r) !== undefined && !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.errorCode ? `tried to read (${r.errorCode})` : "read"} the ${secretRead(r)} of instance ${paramString(r, "instanceId") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${r.eventName}|${hourOf(r)}`,
  context: (r) => ({ instanceId: paramString(r, "instanceId"), read: secretRead(r), succeeded: !r.errorCode }),
  falsePositives: [
    "An administrator viewing an instance's user data or retrieving a Windows password in the console.",
    "Inventory or backup tools that export instance configuration (add their roles to a suppression in your alert routing).",
  ],
  runbook: {
    triage: [
      "Was the caller expected to look at this instance? Check the principal, source IP and user agent.",
      "Count how many instances the same principal read in the hour (the alert's occurrences, and a search of DescribeInstanceAttribute/GetPasswordData by the principal).",
      "Open the user data of the instance: does it contain credentials, tokens or connection strings?",
    ],
    contain: [
      "Rotate every credential found in the user data and move it to Secrets Manager or Parameter Store.",
      "For password data: change the Windows administrator password on the instance and restrict ec2:GetPasswordData.",
      "If the caller is not trusted, deactivate its keys or revoke the role's sessions.",
    ],
  },
  references: {
    mitre: ["T1552.005", "T1580"],
    stratus: ["aws.discovery.ec2-download-user-data", "aws.credential-access.ec2-get-password-data"],
    panther: ["AWS.EC2.DownloadInstanceUserData", "AWS.EC2.ManyPasswordReadAttempts"],
    sigma: ["AWS EC2 Download Userdata", "Potential Backup Enumeration on AWS"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html"],
  },
});
