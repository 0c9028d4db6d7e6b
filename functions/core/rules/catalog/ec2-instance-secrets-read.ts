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
    "The user data or Windows password data of an instance was read, or a read was tried: user data often holds credentials and password data gives an administrator login. Each caller is reported at most once an hour, at low; many instances within minutes are `ec2.user-data-read-burst` (medium) and `ec2.password-data-read-burst` (high).",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["DescribeInstanceAttribute", "GetPasswordData"],
  includeFailedCalls: true,
  match: (r) => secretRead(r) !== undefined && !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.errorCode ? `tried to read (${r.errorCode})` : "read"} the ${secretRead(r)} of instance ${paramString(r, "instanceId") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${r.eventName}|${hourOf(r)}`,
  context: (r) => ({ instanceId: paramString(r, "instanceId"), read: secretRead(r), succeeded: !r.errorCode }),
  falsePositives: [
    "Administrators viewing user data or retrieving a Windows password in the console.",
  ],
  runbook: {
    triage: [
      "Was the caller expected to look at this instance, and how many did it read (occurrences)?",
      "Does the user data hold credentials or tokens?",
    ],
    contain: [
      "Rotate credentials found in user data and move them to Secrets Manager; change the Windows administrator password.",
      "Revoke the caller's credentials if not expected.",
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
