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
  status: "stable",
  falsePositives: [
    "Removing a redundant account-level trail after moving to an organization trail (check the organization trail covers the account).",
  ],
  runbook: {
    triage: [
      "Is the account still covered by another trail (organization trail, `aws cloudtrail describe-trails`)? If not, nothing is being logged.",
      "Who deleted it and what did they do before and after?",
    ],
    contain: [
      "Recreate the trail with its bucket, KMS key and event selectors (from infrastructure code), then find the gap in the logs.",
      "Deny `cloudtrail:DeleteTrail` outside the security team with a service control policy.",
    ],
  },
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-delete"],
    panther: ["AWS.CloudTrail.Stopped", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS CloudTrail Important Change"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delete-trails-console.html"],
  },
});
