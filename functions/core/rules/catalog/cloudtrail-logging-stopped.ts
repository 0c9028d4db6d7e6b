import { defineRule } from "../rule";
import { accountOfRecord, actor, shortName, trailArnOf } from "../helpers";

/** StopLogging: the classic first move of an attacker who wants to act unseen. */
export default defineRule({
  id: "cloudtrail.logging-stopped",
  title: "CloudTrail logging stopped",
  severity: "critical",
  description:
    "A trail stopped recording API activity (StopLogging). Nothing done in its scope is logged until logging is started again, so whatever follows is invisible to every detection that reads this trail.",
  eventSources: ["cloudtrail.amazonaws.com"],
  eventNames: ["StopLogging"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} stopped logging on trail ${shortName(trailArnOf(r)) ?? "(unnamed)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ trail: shortName(trailArnOf(r)), trailArn: trailArnOf(r) }),
  // No dedupKey: every stop is its own alert (the default key is the event id), so a second stop after
  // a restart is never taken for a redelivery of the first.
  remediation: "cloudtrail.start-logging",
  status: "stable",
  falsePositives: [
    "Planned trail maintenance by the team that owns logging (announced, short, followed by StartLogging).",
  ],
  runbook: {
    triage: [
      "Is the trail logging again? `aws cloudtrail get-trail-status --name <trail>` (the trail guard restarts protected trails when remediation is on).",
      "Who stopped it, from which address and session; what did that principal do right before and after (the gap it created is where to look)?",
    ],
    contain: [
      "Start logging again (`aws cloudtrail start-logging --name <trail>`, or enable the `cloudtrail.start-logging` remediation).",
      "Revoke the principal's session if the stop was not planned, and deny `cloudtrail:StopLogging` with a service control policy.",
    ],
  },
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-stop"],
    panther: ["AWS.CloudTrail.Stopped", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS CloudTrail Important Change"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-turning-off-logging.html"],
  },
});
