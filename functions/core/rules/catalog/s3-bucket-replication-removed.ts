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
    "The replication configuration of an S3 bucket was deleted. New and changed objects are no longer copied to the replica, which is often the copy that survives a mass deletion or a ransomware re-encryption.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteBucketReplication"],
  match: (r) => !calledByAwsService(r),
  severityFor: (r) => (actsByHand(r) ? "medium" : "low"),
  summary: (r, { principal }) => `${actor(principal)} removed the replication of S3 bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ bucket: paramString(r, "bucketName"), byHand: actsByHand(r) }),
  falsePositives: ["Migrations that move replication to a new destination (low when a pipeline does it)."],
  runbook: {
    triage: [
      "What did the bucket replicate to (the old configuration in your infrastructure code), and is there a change request?",
      "Look at the bucket's data events after the change: mass DeleteObject(s), CopyObject with new encryption keys, ransom notes.",
    ],
    contain: [
      "Restore the replication configuration (s3api put-bucket-replication) and re-copy objects written since (S3 Batch Replication).",
      "Revoke the caller's credentials if the change was not expected.",
    ],
  },
  references: {
    mitre: ["T1490"],
    panther: ["AWS.S3.DeleteBucketReplication"],
  },
});
