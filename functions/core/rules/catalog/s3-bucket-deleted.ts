import * as z from "../../zod";
import { defineRule } from "../rule";
import { accountOfRecord, actor, firstMatchingPattern, paramString, patternListSchema } from "../helpers";

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions for names of buckets whose deletion destroys evidence or backups. */
  protectedBucketPatterns: patternListSchema(),
  /** Exact names of buckets to treat as protected too. */
  protectedBuckets: z.array(z.string().check(z.minLength(1))),
});
type Settings = z.infer<typeof settingsSchema>;

function isProtected(bucket: string, s: Settings): boolean {
  return s.protectedBuckets.includes(bucket) || firstMatchingPattern(s.protectedBucketPatterns, bucket) !== undefined;
}

/**
 * A bucket deleted. S3 only deletes empty buckets, so the objects went first; info for ordinary
 * buckets (stacks tear down their buckets all the time), high for buckets named like log, audit or
 * backup buckets, whose deletion destroys evidence or the way back.
 */
export default defineRule<Settings>({
  id: "s3.bucket-deleted",
  title: "S3 bucket deleted",
  severity: "info",
  description:
    "An S3 bucket was deleted. Routine for test stacks (info); high for log, audit and backup buckets (protectedBucketPatterns, protectedBuckets): evidence or recovery points are gone, and anyone can register the name afterwards.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteBucket"],
  match: () => true,
  severityFor: (r, { settings }) => (isProtected(paramString(r, "bucketName") ?? "", settings) ? "high" : "info"),
  summary: (r, { principal }) => `${actor(principal)} deleted bucket ${paramString(r, "bucketName") ?? "(unnamed)"} in account ${accountOfRecord(r)}`,
  context: (r, { settings }) => ({ bucket: paramString(r, "bucketName"), protectedBucket: isProtected(paramString(r, "bucketName") ?? "", settings) }),
  status: "stable",
  falsePositives: ["CloudFormation, CDK or Terraform destroying stacks (test and preview environments) with their buckets."],
  runbook: {
    triage: [
      "Check the caller: a pipeline destroying a stack, or a person? Was the bucket in use (who wrote to it last)?",
      "For log or backup buckets: which trails, flow logs or backup plans delivered there, and since when do they fail?",
      "Look for DeleteObjects / PutBucketLifecycle / PutBucketVersioning on the bucket before the deletion.",
    ],
    contain: [
      "Recreate the bucket name at once (another account could claim it and receive your logs), with the old policy and encryption.",
      "Restore from replicas or backups; repoint trails and log deliveries; protect such buckets with Object Lock and an SCP on s3:DeleteBucket.",
    ],
  },
  references: {
    mitre: ["T1485", "T1562.008"],
    panther: ["AWS.S3.BucketDeleted"],
    sigma: ["AWS Bucket Deleted"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html"],
  },
  settings: {
    schema: settingsSchema,
    defaults: { protectedBucketPatterns: ["cloudtrail", "trail", "audit", "(^|[-_.])logs?([-_.]|$)", "backup", "archive", "forensic"], protectedBuckets: [] },
  },
});
