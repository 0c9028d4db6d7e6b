import type { CloudTrailRecord } from "../../record/schema";
import { dig, paramString } from "../helpers";
import { ec2PermissionGrantees, sharedOutsideRule, type Grantees } from "../shared-outside";

/** Who the call adds to the image's launch permission; organization and OU shares stay inside and are not counted. */
function imageGrantees(r: CloudTrailRecord): Grantees | undefined {
  const type = String(dig(r.requestParameters, "attributeType") ?? "launchPermission");
  return type === "launchPermission" ? ec2PermissionGrantees(r, "launchPermission") : undefined;
}

/**
 * An AMI made public or shared with an untrusted account (ModifyImageAttribute adding launch
 * permission). An image carries its disks: whatever was baked in (keys, configuration, data) goes with
 * it (Stratus "ec2-share-ami"). Sharing with your organization or an OU is not reported.
 */
export default sharedOutsideRule({
  id: "ec2.ami-shared",
  title: "AMI shared outside the account",
  severity: "high",
  description:
    "An Amazon Machine Image was made public or shared with an AWS account that is not listed as trusted. The receiver can launch it and read its disks, including any secrets baked into the image.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["ModifyImageAttribute"],
  resource: "AMI",
  idField: "imageId",
  resourceId: (r) => paramString(r, "imageId"),
  grantees: imageGrantees,
  status: "stable",
  falsePositives: [
    "Sharing golden images with the organization's other accounts (list them in `trustedAccounts`).",
    "Vendors publishing public AMIs on purpose.",
  ],
  runbook: {
    triage: [
      "Which account received it (context), and is it one of ours? Was the image public?",
      "What is on the image: baked-in credentials, application code, customer data?",
    ],
    contain: [
      "Remove the launch permission (`aws ec2 modify-image-attribute --launch-permission Remove=...`) and rotate any secret in the image.",
      "Turn on image block public access for the region (`aws ec2 enable-image-block-public-access`).",
    ],
  },
  references: {
    mitre: ["T1537"],
    stratus: ["aws.exfiltration.ec2-share-ami"],
    panther: ["AWS.CloudTrail.AMIModifiedForPublicAccess"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html"],
  },
});
