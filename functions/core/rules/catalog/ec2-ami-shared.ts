import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, paramString } from "../helpers";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) that images may be shared with without an alert. */
  trustedAccounts: z.array(z.string().check(z.regex(/^\d{12}$/, "must be a 12-digit AWS account id"))),
});
type Settings = z.infer<typeof settingsSchema>;

/** Who the call adds to the image's launch permission; organization and OU shares stay inside and are not counted. */
export function imageShares(r: CloudTrailRecord, s: Settings): { isPublic: boolean; accounts: string[] } {
  const type = String(dig(r.requestParameters, "attributeType") ?? "launchPermission");
  if (type !== "launchPermission") return { isPublic: false, accounts: [] };
  const added = asList(dig(r.requestParameters, "launchPermission", "add"));
  const own = accountOfRecord(r);
  return {
    isPublic: added.some((x) => String(dig(x, "group") ?? "").toLowerCase() === "all"),
    accounts: added.map((x) => dig(x, "userId")).filter((u): u is string => typeof u === "string" && u !== own && !s.trustedAccounts.includes(u)),
  };
}

/**
 * An AMI made public or shared with an untrusted account (ModifyImageAttribute adding launch
 * permission). An image carries its disks: whatever was baked in (keys, configuration, data) goes with
 * it (Stratus "ec2-share-ami"). Sharing with your organization or an OU is not reported.
 */
export default defineRule<Settings>({
  id: "ec2.ami-shared",
  title: "AMI shared outside the account",
  severity: "high",
  description:
    "An Amazon Machine Image was made public or shared with an AWS account that is not listed as trusted. The receiver can launch it and read its disks, including any secrets baked into the image.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["ModifyImageAttribute"],
  match: (r, { settings }) => {
    const s = imageShares(r, settings);
    return s.isPublic || s.accounts.length > 0;
  },
  severityFor: (r, { settings }) => (imageShares(r, settings).isPublic ? "critical" : "high"),
  summary: (r, { principal, settings }) => {
    const s = imageShares(r, settings);
    const whom = s.isPublic ? "everyone (public)" : `account${s.accounts.length > 1 ? "s" : ""} ${s.accounts.join(", ")}`;
    return `${actor(principal)} shared AMI ${paramString(r, "imageId") ?? "(unknown)"} of account ${accountOfRecord(r)} with ${whom}`;
  },
  context: (r, { settings }) => ({ imageId: paramString(r, "imageId"), ...imageShares(r, settings) }),
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
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
