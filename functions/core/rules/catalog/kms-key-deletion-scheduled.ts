import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString, responseString } from "../helpers";

function keyOf(r: CloudTrailRecord): string | undefined {
  return responseString(r, "keyId") ?? paramString(r, "keyId");
}

/**
 * A customer-managed KMS key scheduled for deletion, disabled, or its imported key material deleted.
 * Data encrypted under a deleted key is lost for good, which makes this both sabotage and a ransom
 * lever. Scheduling can be cancelled during the waiting period (7 to 30 days); deleting imported key
 * material takes effect at once.
 */
export default defineRule({
  id: "kms.key-deletion-scheduled",
  title: "KMS key scheduled for deletion or disabled",
  severity: "high",
  description:
    "A KMS key was scheduled for deletion, disabled, or had its imported key material deleted. Everything encrypted with it (EBS volumes, S3 objects, RDS, secrets) becomes unreadable when the key is gone. If unexpected, cancel the deletion (CancelKeyDeletion) and re-enable the key.",
  eventSources: ["kms.amazonaws.com"],
  eventNames: ["ScheduleKeyDeletion", "DisableKey", "DeleteImportedKeyMaterial"],
  match: () => true,
  severityFor: (r) => (r.eventName === "DisableKey" ? "medium" : "high"),
  summary: (r, { principal }) => {
    const key = keyOf(r) ?? "(unknown)";
    if (r.eventName === "ScheduleKeyDeletion") {
      const days = dig(r.requestParameters, "pendingWindowInDays");
      return `${actor(principal)} scheduled KMS key ${key} for deletion${typeof days === "number" ? ` in ${days} days` : ""} in account ${accountOfRecord(r)}`;
    }
    if (r.eventName === "DisableKey") return `${actor(principal)} disabled KMS key ${key} in account ${accountOfRecord(r)}`;
    return `${actor(principal)} deleted the imported key material of KMS key ${key} in account ${accountOfRecord(r)}`;
  },
  context: (r) => ({
    keyId: keyOf(r),
    action: r.eventName,
    pendingWindowInDays: dig(r.requestParameters, "pendingWindowInDays"),
    deletionDate: responseString(r, "deletionDate"),
  }),
  status: "stable",
  falsePositives: [
    "Cleaning up keys of decommissioned applications (check nothing still uses them: the key's CloudTrail usage).",
  ],
  runbook: {
    triage: [
      "Which key, what does it encrypt (aliases, grants, CloudTrail Decrypt events), and when will it be deleted (pending window)?",
    ],
    contain: [
      "Cancel the deletion (`aws kms cancel-key-deletion`) and enable the key again while you investigate.",
      "Deny `kms:ScheduleKeyDeletion` outside the key owners.",
    ],
  },
  references: {
    mitre: ["T1485", "T1486"],
    panther: ["AWS.KMS.CustomerManagedKeyLoss"],
    sigma: ["AWS KMS Imported Key Material Usage"],
    urls: ["https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html"],
  },
});
