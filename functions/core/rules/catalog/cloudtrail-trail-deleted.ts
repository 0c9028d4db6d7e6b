import { defineRule } from "../rule";
import { accountOfRecord, actor, shortName, trailArnOf } from "../helpers";

/** DeleteTrail: logging of the trail's scope ends for good, and its configuration is gone. */
export default defineRule({
  id: "cloudtrail.trail-deleted",
  title: "CloudTrail trail deleted",
  severity: "critical",
  description:
    "A trail was deleted (DeleteTrail). Its scope is no longer logged and the trail cannot simply be restarted: it must be recreated with the same bucket, selectors and (for an organization trail) organization settings.",
  eventSources: ["cloudtrail.amazonaws.com"],
  eventNames: ["DeleteTrail"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} deleted trail ${shortName(trailArnOf(r)) ?? "(unnamed)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ trail: shortName(trailArnOf(r)), trailArn: trailArnOf(r) }),
  dedupKey: (r) => `${accountOfRecord(r)}|${trailArnOf(r) ?? ""}|${r.eventID ?? r.eventTime}`,
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-delete"],
    panther: ["AWS.CloudTrail.Stopped", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS CloudTrail Important Change"],
  },
});
