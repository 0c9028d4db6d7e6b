import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountIdListSchema, accountOfRecord, actor, asList, dig, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) whose buckets may exchange objects with yours, e.g. the other accounts of your organization. */
  trustedAccounts: accountIdListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

interface Crossing {
  foreignAccounts: string[];
  buckets: { bucket: string; account: string }[];
}

/** Buckets named in the event's resources with the account that owns them. */
function bucketsOf(r: CloudTrailRecord): { bucket: string; account: string }[] {
  const out: { bucket: string; account: string }[] = [];
  for (const res of asList(r.resources)) {
    if (dig(res, "type") !== "AWS::S3::Bucket") continue;
    const account = dig(res, "accountId");
    const arn = dig(res, "ARN") ?? dig(res, "arn");
    if (typeof account !== "string" || !account) continue;
    out.push({ bucket: typeof arn === "string" ? arn.replace(/^arn:aws[a-z-]*:s3:::/, "") : "(unknown)", account });
  }
  return out;
}

function crossing(r: CloudTrailRecord, s: Settings): Crossing | undefined {
  if (calledByAwsService(r)) return undefined;
  const buckets = bucketsOf(r);
  const own = accountOfRecord(r);
  const foreignAccounts = [...new Set(buckets.map((b) => b.account))].filter((a) => a !== own && !s.trustedAccounts.includes(a));
  return foreignAccounts.length > 0 && buckets.length >= 2 ? { foreignAccounts, buckets } : undefined;
}

/**
 * CopyObject between buckets of different accounts, one of them outside this account and not
 * trusted. Server-side copies never pass through the caller's network, so they are the fastest way to
 * move data into an attacker's bucket. Collapses per caller and hour; occurrences counts the objects.
 */
export default defineRule<Settings, Crossing>({
  id: "s3.object-copied-to-another-account",
  title: "S3 object copied across accounts",
  severity: "medium",
  status: "experimental",
  description:
    "An object was copied between buckets of different accounts, one outside and untrusted: server-side copies move data out with no download to notice.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["CopyObject", "UploadPartCopy"],
  match: (r, { settings }) => crossing(r, settings),
  summary: (r, { principal }, m) =>
    `${actor(principal)} copied ${paramString(r, "x-amz-copy-source") ?? "an object"} to bucket ${paramString(r, "bucketName") ?? "(unknown)"} across accounts (${m.buckets.map((b) => `${b.bucket} in ${b.account}`).join(", ")}); outside account ${m.foreignAccounts.join(", ")}`,
  dedupKey: (r, { principal }, m) => `${principal.id}|${m.foreignAccounts.join(",")}|${hourOf(r)}`,
  context: (r, _c, m) => ({
    destinationBucket: paramString(r, "bucketName"),
    key: paramString(r, "key"),
    copySource: paramString(r, "x-amz-copy-source"),
    buckets: m.buckets,
    foreignAccounts: m.foreignAccounts,
  }),
  falsePositives: [
    "Sharing with partners or your own accounts (trustedAccounts).",
  ],
  runbook: {
    triage: [
      "Whose is the outside account, and which way did the data go (the request's bucket is the destination)?",
      "How many objects (occurrences)?",
    ],
    contain: [
      "Revoke the caller's credentials; deny writes to buckets outside your organization (aws:ResourceOrgID).",
    ],
  },
  references: {
    mitre: ["T1537"],
    panther: ["AWS.S3.CopyObjectToExternalAccountBucket"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
