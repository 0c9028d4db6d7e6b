import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { auditsCaller, CHANGE_AUDIT_STEPS, changeAuditKey, changeAuditSettings, via, type ChangeAuditSettings } from "../change-audit";

/** The bucket settings recorded, by what they decide: who may reach the data, and what happens to it. */
const SETTING_OF: Record<string, string> = {
  PutBucketAcl: "ACL",
  PutBucketPolicy: "policy",
  DeleteBucketPolicy: "policy",
  PutBucketPublicAccessBlock: "public access block",
  DeleteBucketPublicAccessBlock: "public access block",
  PutBucketOwnershipControls: "object ownership",
  DeleteBucketOwnershipControls: "object ownership",
  PutBucketCors: "CORS",
  DeleteBucketCors: "CORS",
  PutBucketLifecycle: "lifecycle",
  PutBucketLifecycleConfiguration: "lifecycle",
  DeleteBucketLifecycle: "lifecycle",
  PutBucketReplication: "replication",
  DeleteBucketReplication: "replication",
  PutBucketEncryption: "default encryption",
  DeleteBucketEncryption: "default encryption",
  PutBucketVersioning: "versioning",
  PutBucketLogging: "access logging",
};

/**
 * Change audit of S3 buckets: who may reach a bucket (ACL, policy, public access block, object
 * ownership, CORS) and what happens to its data (lifecycle, replication, encryption, versioning, access
 * logging), at info and once per caller, account, region and hour (see `change-audit.ts`). The harmful
 * settings are reported where they are set: `s3.bucket-made-public`, `s3.bucket-policy-grants-foreign-account`,
 * `s3.log-bucket-lifecycle-shortened`, `s3.bucket-protection-disabled`, `s3.bucket-encryption-removed`,
 * `s3.bucket-replication-removed`.
 */
export default defineRule<ChangeAuditSettings, string>({
  id: "s3.bucket-configuration-changed",
  title: "S3 bucket access or data settings changed",
  severity: "info",
  status: "experimental",
  description:
    "A bucket's ACL, policy, public access block, object ownership, CORS, lifecycle, replication, default encryption, versioning or access logging was set or removed. Recorded at info, once per caller, account, region and hour; settings that expose or weaken a bucket are reported by their own rules (`s3.bucket-made-public`, `s3.bucket-policy-grants-foreign-account`, `s3.log-bucket-lifecycle-shortened`, `s3.bucket-protection-disabled`, ...).",
  eventSources: ["s3.amazonaws.com"],
  eventNames: Object.keys(SETTING_OF),
  match: (r, { principal, settings }) => (auditsCaller(principal, settings) ? SETTING_OF[r.eventName] : undefined),
  summary: (r, { principal }, setting) =>
    `${actor(principal)} ${r.eventName.startsWith("Delete") ? "removed" : "set"} the ${setting} of bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}${via(r)}`,
  dedupKey: (r, { principal }) => changeAuditKey(r, principal),
  context: (r, _c, setting) => ({
    bucket: paramString(r, "bucketName"),
    setting,
    call: r.eventName,
    invokedBy: r.userIdentity?.invokedBy ?? undefined,
  }),
  falsePositives: [
    "Deployments creating buckets with their policies, lifecycle and encryption: name the pipeline's role in ignorePrincipals when its changes are reviewed in code.",
    "Data teams adjusting lifecycle rules or CORS for a web application.",
  ],
  runbook: {
    triage: [
      CHANGE_AUDIT_STEPS.who,
      CHANGE_AUDIT_STEPS.related,
      "Which buckets changed, and what do the new policy, ACL, lifecycle or replication say: who may now read, where does data go, when is it deleted?",
    ],
    contain: [
      CHANGE_AUDIT_STEPS.revert,
      "Restore the previous policy, ACL, public access block, lifecycle or replication of each bucket that changed.",
    ],
  },
  references: {
    mitre: ["T1530", "T1537", "T1485.001"],
    panther: ["AWS.S3.BucketPolicyModified"],
    sigma: ["AWS S3 Data Management Tampering"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html"],
  },
  settings: changeAuditSettings,
});
