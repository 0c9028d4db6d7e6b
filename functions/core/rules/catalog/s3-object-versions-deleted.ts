import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

function bucketOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "bucketName");
}

/**
 * Object versions deleted one by one (DeleteObject with a versionId). On a versioned bucket a plain
 * delete only adds a delete marker and can be undone; deleting a version is permanent. Lifecycle rules
 * expire old versions without API calls, so callers doing it by hand are rare, and a run of them is
 * how ransomware empties a versioned bucket (Stratus "s3-ransomware-individual-deletion"). Collapses per
 * caller, bucket and hour; occurrences counts the versions.
 */
export default defineRule({
  id: "s3.object-versions-deleted",
  title: "S3 object versions permanently deleted",
  severity: "medium",
  status: "experimental",
  description:
    "Specific versions of S3 objects were deleted. Unlike a plain delete on a versioned bucket, this cannot be undone; removing versions one by one is how a versioned bucket is emptied for ransom or destruction.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteObject"],
  match: (r) => !calledByAwsService(r) && !!paramString(r, "versionId"),
  summary: (r, { principal }) =>
    `${actor(principal)} permanently deleted version ${paramString(r, "versionId")} of ${bucketOf(r) ?? "(unknown)"}/${paramString(r, "key") ?? ""} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${bucketOf(r) ?? ""}|${hourOf(r)}`,
  context: (r) => ({ bucket: bucketOf(r), key: paramString(r, "key"), versionId: paramString(r, "versionId") }),
  falsePositives: ["Scripts that purge old versions by hand instead of with a lifecycle rule; emptying a versioned bucket before deleting it."],
  runbook: {
    triage: [
      "How many versions were deleted (occurrences, DeleteObject data events with a versionId by the principal) and do any versions of the objects remain?",
      "Did the same principal delete objects, suspend versioning or upload a ransom note (s3.bucket-recovery-weakened, s3.ransom-note-uploaded)?",
    ],
    contain: [
      "Revoke the caller's credentials and deny s3:DeleteObjectVersion in the bucket policy while you investigate.",
      "Restore from replicas or backups; protect critical buckets with S3 Object Lock.",
    ],
  },
  references: {
    mitre: ["T1485", "T1490"],
    stratus: ["aws.impact.s3-ransomware-individual-deletion"],
  },
});
