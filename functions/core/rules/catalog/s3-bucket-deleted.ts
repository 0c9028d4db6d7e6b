import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, firstMatchingPattern, paramString, patternListSchema } from "../helpers";
import { calledByAwsService } from "../caller";

/** Buckets whose loss hurts an investigation or a recovery: logs, audit trails, backups. */
export const DEFAULT_IMPORTANT_BUCKETS = ["cloudtrail", "trail", "audit", "log", "backup", "archive", "security", "forensic"];

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions on the bucket name; a match makes the deletion medium. */
  importantBucketPatterns: patternListSchema(0),
});
type Settings = z.infer<typeof settingsSchema>;

function bucketOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "bucketName");
}

/**
 * An S3 bucket deleted (the bucket itself: DeleteBucket only succeeds on an empty bucket, so its
 * objects were deleted before). Low; medium when the name says it held logs, audit trails or backups.
 * Stack deletions through CloudFormation are left out.
 */
export default defineRule<Settings>({
  id: "s3.bucket-deleted",
  title: "S3 bucket deleted",
  severity: "low",
  description:
    "An S3 bucket was deleted, after its objects were. Deleting a log or backup bucket destroys evidence and recovery points; a deleted bucket name can also be registered by anyone else, who then receives whatever still writes to it.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteBucket"],
  match: (r) => !calledByAwsService(r),
  severityFor: (r, { settings }) => (firstMatchingPattern(settings.importantBucketPatterns, bucketOf(r) ?? "") ? "medium" : "low"),
  summary: (r, { principal }) => `${actor(principal)} deleted S3 bucket ${bucketOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r, { settings }) => ({ bucket: bucketOf(r), important: firstMatchingPattern(settings.importantBucketPatterns, bucketOf(r) ?? "") !== undefined }),
  falsePositives: ["Cleanup of test or temporary buckets; decommissioning of an application."],
  runbook: {
    triage: [
      "What did the bucket hold, and who still writes to it (trails, flow logs, applications)? Check bucket references in your infrastructure code.",
      "What did the same principal delete before (DeleteObject/DeleteObjects data events, lifecycle rules)?",
    ],
    contain: [
      "Re-create the bucket name in your account at once if something still delivers to it, so nobody else can claim it.",
      "Restore the data from replicas or backups; revoke the caller's credentials if the deletion was not expected.",
    ],
  },
  references: {
    mitre: ["T1485", "T1070"],
    panther: ["AWS.S3.BucketDeleted"],
    sigma: ["AWS Bucket Deleted"],
  },
  settings: { schema: settingsSchema, defaults: { importantBucketPatterns: DEFAULT_IMPORTANT_BUCKETS } },
});
