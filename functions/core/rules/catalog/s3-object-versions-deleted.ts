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
    "Specific versions of S3 objects were deleted: unlike a plain delete on a versioned bucket this cannot be undone, and it is how a versioned bucket is emptied. Reported once per caller, bucket and hour; many deletions of any kind within minutes are `s3.object-deletion-burst` (high).",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteObject"],
  match: (r) => !calledByAwsService(r) && !!paramString(r, "versionId"),
  summary: (r, { principal }) =>
    `${actor(principal)} permanently deleted version ${paramString(r, "versionId")} of ${bucketOf(r) ?? "(unknown)"}/${paramString(r, "key") ?? ""} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${bucketOf(r) ?? ""}|${hourOf(r)}`,
  context: (r) => ({ bucket: bucketOf(r), key: paramString(r, "key"), versionId: paramString(r, "versionId") }),
  falsePositives: [
    "Scripts purging old versions by hand; emptying a bucket before deleting it.",
  ],
  runbook: {
    triage: [
      "How many versions (occurrences), and do any remain?",
      "Did the caller also suspend versioning or upload a ransom note?",
    ],
    contain: [
      "Revoke the caller's credentials and deny s3:DeleteObjectVersion; restore from replicas or backups.",
    ],
  },
  references: {
    mitre: ["T1485", "T1490"],
    stratus: ["aws.impact.s3-ransomware-individual-deletion"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html"],
  },
});
