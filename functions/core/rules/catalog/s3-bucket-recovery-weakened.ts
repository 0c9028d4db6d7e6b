import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString } from "../helpers";
import { actsByHand, calledByAwsService } from "../caller";

interface Weakening {
  changes: string[];
  severity: Severity;
}

function versioningValue(r: CloudTrailRecord, key: "Status" | "MfaDelete"): string | undefined {
  const v = dig(r.requestParameters, "VersioningConfiguration", key);
  return typeof v === "string" ? v.trim() : undefined;
}

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

function weakening(r: CloudTrailRecord): Weakening | undefined {
  if (calledByAwsService(r)) return undefined;
  if (r.eventName === "DeleteBucketReplication") {
    return { changes: ["replication removed"], severity: actsByHand(r) ? "medium" : "low" };
  }
  const found: { what: string; severity: Severity }[] = [];
  const status = versioningValue(r, "Status");
  if (status && /^(suspended|disabled)$/i.test(status)) found.push({ what: `versioning ${status.toLowerCase()}`, severity: "medium" });
  // Only root with an MFA code can change MFA delete; anyone else sending "Disabled" changes nothing.
  if (versioningValue(r, "MfaDelete")?.toLowerCase() === "disabled") {
    found.push({ what: "MFA delete turned off", severity: r.userIdentity?.type === "Root" ? "medium" : "low" });
  }
  if (found.length === 0) return undefined;
  const severity = found.reduce<Severity>((s, f) => (RANK[f.severity] > RANK[s] ? f.severity : s), "info");
  return { changes: found.map((f) => f.what), severity };
}

/**
 * A bucket's protection against deletion and overwrite removed: versioning suspended, MFA delete
 * turned off, or replication to another bucket removed. Versioning is what lets you undo a mass
 * deletion or a ransomware re-encryption, so attackers switch it off first.
 */
export default defineRule<undefined, Weakening>({
  id: "s3.bucket-recovery-weakened",
  title: "S3 versioning, MFA delete or replication removed",
  severity: "medium",
  description:
    "Versioning of an S3 bucket was suspended, MFA delete was turned off, or replication was removed. Without them, deleted or overwritten objects cannot be recovered: the usual first step of S3 ransomware or destruction.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["PutBucketVersioning", "DeleteBucketReplication"],
  match: (r) => weakening(r),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} weakened recovery of S3 bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}: ${m.changes.join(", ")}`,
  context: (r, _c, m) => ({ bucket: paramString(r, "bucketName"), changes: m.changes }),
  falsePositives: [
    "Buckets of temporary data where versioning costs more than it saves.",
    "Replication reconfigured during a migration (the rule is low when a pipeline does it).",
  ],
  runbook: {
    triage: [
      "What does the bucket hold, and is there a change request for the versioning or replication change?",
      "Look at the bucket's data events right after: mass DeleteObject(s), CopyObject with new encryption keys, ransom-note uploads.",
    ],
    contain: [
      "Turn versioning back on (s3api put-bucket-versioning --versioning-configuration Status=Enabled) and restore replication.",
      "Block the caller (revoke sessions, deactivate keys) and add an S3 Object Lock or a locked backup vault for critical data.",
    ],
  },
  references: {
    mitre: ["T1490", "T1485"],
    panther: ["AWS.S3.SuspendVersioning", "AWS.S3.DisableMfaDelete", "AWS.S3.DeleteBucketReplication"],
    sigma: ["AWS S3 Bucket Versioning Disable"],
  },
});
