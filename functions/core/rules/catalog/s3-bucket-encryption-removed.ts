import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

/**
 * DeleteBucketEncryption. Since January 2023 S3 still encrypts new objects with S3-managed keys
 * (SSE-S3) afterwards, so data is not stored in clear; what is lost is the bucket's chosen key
 * (typically a customer-managed KMS key, with its access policy and audit trail). Low.
 */
export default defineRule({
  id: "s3.bucket-encryption-removed",
  title: "S3 bucket default encryption removed",
  severity: "low",
  description:
    "A bucket's default encryption configuration was deleted. New objects fall back to SSE-S3, so a customer-managed KMS key (and the access control and logging that came with it) no longer protects them.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteBucketEncryption"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} removed the default encryption of bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ bucket: paramString(r, "bucketName") }),
  status: "stable",
  falsePositives: [
    "Moving a bucket from SSE-KMS to SSE-S3 on purpose (cost).",
  ],
  runbook: {
    triage: [
      "Which bucket, and did it use a customer-managed KMS key for access control or audit?",
    ],
    contain: [
      "Restore the default encryption (`aws s3api put-bucket-encryption`) from infrastructure code.",
    ],
  },
  references: { mitre: ["T1562"], panther: ["AWS.S3.DeleteBucketEncryption"], sigma: ["AWS S3 Data Management Tampering"], urls: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html"] },
});
