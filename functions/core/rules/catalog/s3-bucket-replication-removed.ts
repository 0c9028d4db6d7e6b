import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { actsByHand, calledByAwsService } from "../caller";

/**
 * Replication of a bucket removed (DeleteBucketReplication). Replicas in another bucket, region or
 * account are often the copy that survives a deletion or a ransomware re-encryption; removing the
 * configuration stops new objects from being copied. Medium by hand, low from a pipeline (migrations
 * reconfigure replication). Versioning and MFA delete turned off are `s3.bucket-protection-disabled`'s.
 */
export default defineRule({
  id: "s3.bucket-replication-removed",
  title: "S3 bucket replication removed",
  severity: "medium",
  description:
    "A bucket's replication configuration was deleted: new objects are no longer copied to the replica that survives a mass deletion or re-encryption.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteBucketReplication"],
  match: (r) => !calledByAwsService(r),
  severityFor: (r) => (actsByHand(r) ? "medium" : "low"),
  summary: (r, { principal }) => `${actor(principal)} removed the replication of S3 bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ bucket: paramString(r, "bucketName"), byHand: actsByHand(r) }),
  status: "experimental",
  falsePositives: [
    "Migrations moving replication to a new destination (low from a pipeline).",
  ],
  runbook: {
    triage: [
      "Where did the bucket replicate to, and is there a change request? Any mass deletions or re-encryption after?",
    ],
    contain: [
      "Restore the replication configuration and re-copy new objects (S3 Batch Replication); revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1490"],
    panther: ["AWS.S3.DeleteBucketReplication"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketReplication.html"],
  },
});
