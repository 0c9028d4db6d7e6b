import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { auditsCaller, CHANGE_AUDIT_STEPS, changeAuditKey, changeAuditSettings, type ChangeAuditSettings } from "../change-audit";

/**
 * Change audit of batch deletions (S3 data events): DeleteObjects removes up to 1,000 objects in one
 * call and CloudTrail does not name them, so a handful of calls can empty a bucket while staying far
 * below `s3.object-deletion-burst`, which counts calls. Each caller's batches are recorded at info once
 * per bucket and hour (see `change-audit.ts`); `occurrences` counts the calls.
 */
export default defineRule<ChangeAuditSettings>({
  id: "s3.objects-batch-deleted",
  title: "S3 objects deleted in a batch",
  severity: "info",
  status: "experimental",
  description:
    "Objects were deleted from a bucket with DeleteObjects, up to 1,000 per call, unnamed in CloudTrail (requires S3 data events). Recorded at info, once per caller, bucket and hour; many deletion calls within minutes are `s3.object-deletion-burst` (high), permanent deletions of object versions `s3.object-versions-deleted` (medium).",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteObjects"],
  match: (_r, { principal, settings }) => auditsCaller(principal, settings),
  summary: (r, { principal }) =>
    `${actor(principal)} deleted objects in a batch (DeleteObjects) from bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => changeAuditKey(r, principal, paramString(r, "bucketName") ?? ""),
  context: (r) => ({
    bucket: paramString(r, "bucketName"),
    sourceIPAddress: r.sourceIPAddress ?? undefined,
    userAgent: r.userAgent ?? undefined,
  }),
  falsePositives: [
    "Applications and cleanup jobs deleting their own temporary objects; `aws s3 rm --recursive` or `aws s3 sync --delete` in deployments: name such roles in ignorePrincipals.",
  ],
  runbook: {
    triage: [
      CHANGE_AUDIT_STEPS.who,
      CHANGE_AUDIT_STEPS.related,
      "Is the caller the bucket's own application, does the bucket still hold what it should, and is versioning on (deleted objects recoverable from previous versions)?",
    ],
    contain: [
      "Revoke the caller's credentials if the deletions were not theirs to make, deny s3:DeleteObject on the bucket, and restore from previous versions, replicas or backups.",
    ],
  },
  references: {
    mitre: ["T1485"],
    stratus: ["aws.impact.s3-ransomware-batch-deletion"],
    panther: ["AWS.S3.DeleteObjects"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html"],
  },
  settings: changeAuditSettings,
});
