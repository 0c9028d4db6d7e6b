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
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-stop"],
    panther: ["AWS.CloudTrail.Stopped", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS CloudTrail Important Change"],
  },
});
