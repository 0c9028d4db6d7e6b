import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString, shortName, trailArnOf } from "../helpers";

/**
 * A trail created or its logging started. Not an attack by itself, so severity info: the record a
 * responder wants next to the tamper alerts (a StartLogging closes the gap a StopLogging opened, and
 * tells how long it was), and the first sign of a trail an attacker adds to send logs elsewhere.
 */
export default defineRule({
  id: "cloudtrail.trail-created",
  title: "CloudTrail trail created or logging started",
  severity: "info",
  description:
    "A CloudTrail trail was created or logging started. Usually audit setup; worth a look after a StopLogging (the gap is unlogged) or when a new trail delivers to an unknown bucket.",
  eventSources: ["cloudtrail.amazonaws.com"],
  eventNames: ["CreateTrail", "StartLogging"],
  match: () => true,
  summary: (r, { principal }) => {
    const trail = shortName(paramString(r, "name")) ?? "(unnamed)";
    if (r.eventName === "StartLogging") return `${actor(principal)} started logging on trail ${trail} in account ${accountOfRecord(r)}`;
    const bucket = paramString(r, "s3BucketName");
    return `${actor(principal)} created trail ${trail}${bucket ? ` delivering to bucket ${bucket}` : ""} in account ${accountOfRecord(r)}`;
  },
  context: (r) => ({
    trail: trailArnOf(r),
    action: r.eventName,
    s3BucketName: paramString(r, "s3BucketName"),
    isMultiRegionTrail: dig(r.requestParameters, "isMultiRegionTrail"),
    isOrganizationTrail: dig(r.requestParameters, "isOrganizationTrail"),
  }),
  status: "stable",
  falsePositives: [
    "Landing-zone pipelines (Control Tower, Terraform, CloudFormation StackSets) creating the organization or account trails.",
    "An administrator restarting logging after maintenance, or after the trail guard reported a StopLogging.",
  ],
  runbook: {
    triage: [
      "For StartLogging: look for the StopLogging on the same trail (cloudtrail.logging-stopped) and note the window in which nothing was logged.",
      "For CreateTrail: check the destination bucket and KMS key belong to your log-archive account, and that the caller is your landing-zone automation.",
      "Check the caller's other activity in the hour before (GetTrailStatus, DescribeTrails, StopLogging).",
    ],
    contain: [
      "If the trail is not yours, delete it or point it at your log-archive bucket; review the bucket policy of the destination.",
      "For a logging gap, reconstruct the missing window from other sources (CloudTrail Lake, organization trail, service logs).",
    ],
  },
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-stop"],
    panther: ["AWS.CloudTrail.Created"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html"],
  },
});
