import * as z from "../../zod";
import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountIdListSchema, accountOfRecord, actor, hourOf, paramString } from "../helpers";
import { accountOfArn, calledByAwsService } from "../caller";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) whose KMS keys may encrypt your objects, e.g. a central key account of your organization. */
  trustedKeyAccounts: accountIdListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

interface Reencryption {
  how: "foreign-kms-key" | "customer-provided-key";
  keyAccount?: string;
  severity: Severity;
}

function reencryption(r: CloudTrailRecord, s: Settings): Reencryption | undefined {
  if (calledByAwsService(r)) return undefined;
  const keyId = paramString(r, "x-amz-server-side-encryption-aws-kms-key-id");
  const keyAccount = accountOfArn(keyId);
  if (keyAccount && keyAccount !== accountOfRecord(r) && !s.trustedKeyAccounts.includes(keyAccount)) {
    return { how: "foreign-kms-key", keyAccount, severity: "high" };
  }
  if (paramString(r, "x-amz-server-side-encryption-customer-algorithm")) return { how: "customer-provided-key", severity: "medium" };
  return undefined;
}

/**
 * Objects rewritten (CopyObject) under an encryption key the bucket owner does not control: a KMS key
 * of another account (high) or a key the caller supplies with the request, SSE-C (medium). Once the
 * originals are gone, only the key holder can read the data: S3 ransomware (Stratus
 * "s3-ransomware-client-side-encryption"). Collapses per caller, bucket and hour; occurrences counts
 * the objects.
 */
export default defineRule<Settings, Reencryption>({
  id: "s3.objects-reencrypted",
  title: "S3 objects re-encrypted with a key the owner does not hold",
  severity: "high",
  description:
    "S3 objects were copied under another account's KMS key or a caller-supplied key (SSE-C): the owner cannot decrypt them, the pattern of S3 ransomware. Reported from the first copy; many SSE-C writes within minutes are also `s3.client-side-encryption-burst`.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["CopyObject"],
  match: (r, { settings }) => reencryption(r, settings),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} copied ${paramString(r, "x-amz-copy-source") ?? "an object"} to ${paramString(r, "bucketName") ?? "(unknown)"}/${paramString(r, "key") ?? ""} in account ${accountOfRecord(r)} encrypted with ${m.how === "foreign-kms-key" ? `a KMS key of account ${m.keyAccount}` : "a key supplied by the caller (SSE-C)"}`,
  dedupKey: (r, { principal }, m) => `${principal.id}|${paramString(r, "bucketName") ?? ""}|${m.how}|${hourOf(r)}`,
  context: (r, _c, m) => ({
    bucket: paramString(r, "bucketName"),
    key: paramString(r, "key"),
    copySource: paramString(r, "x-amz-copy-source"),
    encryption: m.how,
    kmsKeyId: paramString(r, "x-amz-server-side-encryption-aws-kms-key-id"),
    keyAccount: m.keyAccount,
  }),
  status: "experimental",
  falsePositives: [
    "Applications using SSE-C on purpose; a central key account (trustedKeyAccounts).",
  ],
  runbook: {
    triage: [
      "How many objects (occurrences), and were originals deleted or overwritten?",
      "Whose is the key's account? Is versioning on?",
    ],
    contain: [
      "Revoke the caller's credentials; deny SSE-C writes in the bucket policy.",
      "Restore previous object versions.",
    ],
  },
  references: {
    mitre: ["T1486"],
    stratus: ["aws.impact.s3-ransomware-client-side-encryption"],
    panther: ["AWS.S3.CopyObject.CrossAccount.Encryption.KMS", "AWS.S3.CopyObjectWithClientSideEncryption"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedKeyAccounts: [] } },
});
