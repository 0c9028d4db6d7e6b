import type { CloudTrailRecord } from "../../record/schema";
import type { Severity } from "../../alert/alert";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, hourOf, paramString } from "../helpers";

interface Change {
  /** What was turned off, in words. */
  what: string[];
  severity: Severity;
}

function upper(v: unknown): string {
  return typeof v === "string" ? v.toUpperCase() : "";
}

function change(r: CloudTrailRecord): Change | undefined {
  if (r.eventName === "PutBucketLogging") {
    // Only a logged configuration without LoggingEnabled turns logging off; a request whose
    // configuration was not logged cannot be judged.
    const status = dig(r.requestParameters, "BucketLoggingStatus");
    if (!status || typeof status !== "object") return undefined;
    return dig(status, "LoggingEnabled") ? undefined : { what: ["server access logging"], severity: "low" };
  }
  const cfg = dig(r.requestParameters, "VersioningConfiguration");
  const what: string[] = [];
  if (["SUSPENDED", "DISABLED"].includes(upper(dig(cfg, "Status")))) what.push("versioning");
  if (upper(dig(cfg, "MfaDelete")) === "DISABLED") what.push("MFA delete");
  return what.length ? { what, severity: "medium" } : undefined;
}

/**
 * A bucket's safety nets removed: server access logging turned off (object-level access is no longer
 * recorded unless CloudTrail data events cover the bucket), versioning suspended or MFA delete
 * turned off (deleted and overwritten objects can no longer be recovered: the preparation for
 * ransomware or destruction).
 */
export default defineRule<undefined, Change>({
  id: "s3.bucket-protection-disabled",
  title: "S3 bucket logging, versioning or MFA delete turned off",
  severity: "medium",
  description:
    "An S3 bucket's versioning was suspended, its MFA delete or server access logging turned off. Without versioning, deleted or overwritten objects are gone for good (how S3 ransomware starts); without access logging, reads leave no trace outside data events.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["PutBucketLogging", "PutBucketVersioning"],
  match: (r) => change(r),
  severityFor: (_r, _ctx, c) => c.severity,
  summary: (r, { principal }, c) => `${actor(principal)} turned off ${c.what.join(" and ")} on bucket ${paramString(r, "bucketName") ?? "(unnamed)"} in account ${accountOfRecord(r)}`,
  context: (r, _ctx, c) => ({ bucket: paramString(r, "bucketName"), disabled: c.what }),
  dedupKey: (r) => `${accountOfRecord(r)}|${paramString(r, "bucketName") ?? ""}|${r.eventName}|${hourOf(r)}`,
  status: "stable",
  falsePositives: [
    "Buckets for scratch or cache data where versioning only costs money.",
    "Moving access logging to CloudTrail data events (logging turned off on purpose).",
  ],
  runbook: {
    triage: [
      "Check what the bucket holds and whether its owner planned the change.",
      "Look for what followed from the same principal: DeleteObject(s), PutObject with new encryption, lifecycle rules, replication changes.",
      "For logging: is the bucket covered by CloudTrail data events, or are its reads now unrecorded?",
    ],
    contain: [
      "Re-enable versioning (and MFA delete where you use it) and server access logging.",
      "Apply S3 Object Lock or AWS Backup to buckets that must survive deletion; restrict s3:PutBucketVersioning with an SCP.",
    ],
  },
  references: {
    mitre: ["T1490", "T1562.008"],
    panther: ["AWS.S3.DisableBucketLogging", "AWS.S3.SecurityControlDisabling", "AWS.S3.SuspendVersioning", "AWS.S3.DisableMfaDelete"],
    sigma: ["AWS S3 Bucket Versioning Disable", "AWS S3 Data Management Tampering"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html"],
  },
});
