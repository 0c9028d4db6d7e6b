import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

function expires(r: CloudTrailRecord): boolean {
  return (paramString(r, "expirationModel") ?? "").toUpperCase() === "KEY_MATERIAL_EXPIRES";
}

/**
 * Key material imported into a KMS key (bring-your-own-key). The importer keeps a copy and AWS can
 * be made to forget its own: with an expiry date set, or by deleting the material later, everything
 * encrypted under the key becomes unreadable, which is ransomware without touching the data.
 */
export default defineRule({
  id: "kms.key-material-imported",
  title: "Key material imported into a KMS key",
  severity: "low",
  description:
    "Key material was imported into a KMS key. The importer holds the only other copy; once it expires or is deleted, data under the key cannot be decrypted. Medium when an expiry date is set.",
  eventSources: ["kms.amazonaws.com"],
  eventNames: ["ImportKeyMaterial"],
  match: () => true,
  severityFor: (r) => (expires(r) ? "medium" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} imported key material into KMS key ${paramString(r, "keyId") ?? "(unnamed)"}${expires(r) ? ` that expires ${paramString(r, "validTo") ?? "(date not logged)"}` : ""} in account ${accountOfRecord(r)}`,
  context: (r) => ({ keyId: paramString(r, "keyId"), expirationModel: paramString(r, "expirationModel"), validTo: paramString(r, "validTo") }),
  status: "stable",
  falsePositives: ["Teams that use bring-your-own-key for compliance, rotating imported material on schedule."],
  runbook: {
    triage: [
      "Check whether the key was created with origin EXTERNAL by your key-management team, and who keeps the material.",
      "Find what the key encrypts (grants, key policy principals, resources using it) and whether anything was re-encrypted under it recently.",
    ],
    contain: [
      "If not expected: re-encrypt data under a key whose material AWS holds, before the material expires.",
      "Restrict kms:ImportKeyMaterial and kms:DeleteImportedKeyMaterial to the key-management role.",
    ],
  },
  references: {
    mitre: ["T1486"],
    sigma: ["AWS KMS Imported Key Material Usage"],
    urls: ["https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html"],
  },
});
