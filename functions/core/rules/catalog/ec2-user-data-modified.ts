import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString } from "../helpers";

function changesUserData(r: CloudTrailRecord): boolean {
  const p = r.requestParameters ?? {};
  return p["userData"] !== undefined || String(dig(p, "attribute") ?? "").toLowerCase() === "userdata";
}

/**
 * ModifyInstanceAttribute replacing an instance's user data: the script runs as root at the next
 * start, so stop / modify / start is a way to execute code on an instance without logging in
 * (Stratus "ec2-user-data"). Infrastructure tools rarely change user data in place.
 */
export default defineRule({
  id: "ec2.user-data-modified",
  title: "EC2 instance user data replaced",
  severity: "high",
  description:
    "An instance's user data (its startup script) was replaced. It runs with root privileges the next time the instance starts. CloudTrail redacts the new content: check the instance's user data and who changed it.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["ModifyInstanceAttribute"],
  match: changesUserData,
  summary: (r, { principal }) =>
    `${actor(principal)} replaced the user data (startup script) of instance ${paramString(r, "instanceId") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ instanceId: paramString(r, "instanceId") }),
  status: "stable",
  falsePositives: [
    "Instance bootstrap changes made by infrastructure tools on stopped instances (rare; most tools replace instances instead).",
  ],
  runbook: {
    triage: [
      "Read the new user data (`aws ec2 describe-instance-attribute --attribute userData`) and compare it with the launch template.",
      "Was the instance stopped and started around the change (StopInstances/StartInstances by the same principal)?",
    ],
    contain: [
      "Restore the original user data before the next start, or isolate the instance if it already ran; revoke the principal's session if unexpected.",
    ],
  },
  references: {
    mitre: ["T1059.009", "T1546"],
    stratus: ["aws.execution.ec2-user-data"],
    panther: ["AWS.EC2.Startup.Script.Change"],
    sigma: ["AWS EC2 Startup Shell Script Change"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html"],
  },
});
