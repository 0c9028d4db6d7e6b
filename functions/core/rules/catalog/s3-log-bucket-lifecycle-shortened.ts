import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, paramString, patternListSchema } from "../helpers";

const settingsSchema = z.strictObject({
  /** Buckets known to hold logs (exact names), e.g. the organization trail's bucket. */
  logBuckets: z.array(z.string().check(z.minLength(3))),
  /** Case-insensitive regular expressions for bucket names that look like log buckets. */
  bucketPatterns: patternListSchema(0),
  /** A lifecycle rule that deletes objects sooner than this many days is reported. */
  minDays: z.int().check(z.minimum(1), z.maximum(3650)),
});
type Settings = z.infer<typeof settingsSchema>;

function isLogBucket(bucket: string, s: Settings): boolean {
  return s.logBuckets.includes(bucket) || s.bucketPatterns.some((p) => new RegExp(p, "i").test(bucket));
}

/** Enabled lifecycle rules that expire (current or noncurrent) objects in fewer than `minDays` days. */
export function shortExpirations(r: CloudTrailRecord, s: Settings): string[] {
  const cfg = dig(r.requestParameters, "LifecycleConfiguration") ?? dig(r.requestParameters, "lifecycleConfiguration");
  const out: string[] = [];
  for (const rule of asList(dig(cfg, "Rule") ?? dig(cfg, "Rules"))) {
    if (String(dig(rule, "Status") ?? "").toLowerCase() !== "enabled") continue;
    const id = String(dig(rule, "ID") ?? "(no id)");
    const days = Number(dig(rule, "Expiration", "Days"));
    if (Number.isFinite(days) && days < s.minDays) out.push(`rule ${id} deletes objects after ${days} day(s)`);
    const nc = Number(dig(rule, "NoncurrentVersionExpiration", "NoncurrentDays"));
    if (Number.isFinite(nc) && nc < s.minDays) out.push(`rule ${id} deletes old versions after ${nc} day(s)`);
  }
  return out;
}

/**
 * PutBucketLifecycle on a log bucket with an enabled rule that deletes objects within `minDays`
 * (default 7): logs vanish on their own shortly after delivery, without a DeleteObject anyone would
 * notice (Stratus "cloudtrail-lifecycle-rule"). A log bucket is one listed in `logBuckets` or whose
 * name matches `bucketPatterns`.
 */
export default defineRule<Settings>({
  id: "s3.log-bucket-lifecycle-shortened",
  title: "Log bucket set to delete logs within days",
  severity: "high",
  description:
    "A lifecycle rule on a bucket that holds logs now deletes objects within a few days. CloudTrail and other logs will disappear soon after delivery, quietly destroying evidence. Restore the retention the organisation requires.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["PutBucketLifecycle", "PutBucketLifecycleConfiguration"],
  match: (r, { settings }) => isLogBucket(paramString(r, "bucketName") ?? "", settings) && shortExpirations(r, settings).length > 0,
  summary: (r, { principal, settings }) =>
    `${actor(principal)} set a lifecycle on log bucket ${paramString(r, "bucketName")} in account ${accountOfRecord(r)}: ${shortExpirations(r, settings).join("; ")}`,
  context: (r, { settings }) => ({ bucket: paramString(r, "bucketName"), shortRules: shortExpirations(r, settings), minDays: settings.minDays }),
  status: "stable",
  falsePositives: [
    "Short retention on buckets that only receive copies of logs already archived elsewhere (exclude them from `bucketPatterns`).",
  ],
  runbook: {
    triage: [
      "Which bucket and rule (context), and how long must its logs be kept?",
    ],
    contain: [
      "Restore the lifecycle configuration from infrastructure code and turn on Object Lock or versioning for the log bucket.",
    ],
  },
  references: {
    mitre: ["T1485.001", "T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-lifecycle-rule"],
    panther: ["AWS.CloudTrail.ShortLifecycle"],
    sigma: ["AWS S3 Data Management Tampering"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html"],
  },
  settings: {
    schema: settingsSchema,
    defaults: { logBuckets: [], bucketPatterns: ["cloudtrail", "(^|[^a-z])trails?([^a-z]|$)", "(^|[^a-z])audit", "(^|[^a-z])logs?([^a-z]|$)", "logging"], minDays: 7 },
  },
});
