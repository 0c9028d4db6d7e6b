import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramBool, paramString, responseString } from "../helpers";
import { actsByHand, calledByAwsService } from "../caller";

interface Weakening {
  changes: string[];
  severity: Severity;
}

function subject(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier") ?? paramString(r, "dBSnapshotIdentifier") ??
    paramString(r, "dBClusterSnapshotIdentifier") ?? paramString(r, "dbiResourceId") ?? paramString(r, "dbClusterResourceId") ??
    paramString(r, "dBInstanceAutomatedBackupsArn") ?? responseString(r, "dBInstanceAutomatedBackupArn");
}

/** The ways this call lowers the chance of getting the data back, worst first. */
function weakening(r: CloudTrailRecord): Weakening | undefined {
  if (calledByAwsService(r)) return undefined;
  switch (r.eventName) {
    case "DeleteDBInstanceAutomatedBackup":
    case "DeleteDBClusterAutomatedBackup":
      return { changes: ["retained automated backups deleted"], severity: "high" };
    case "DeleteDBSnapshot":
    case "DeleteDBClusterSnapshot":
      return { changes: ["snapshot deleted"], severity: actsByHand(r) ? "medium" : "low" };
    default: {
      const changes: string[] = [];
      const retention = Number(dig(r.requestParameters, "backupRetentionPeriod"));
      const retentionOff = dig(r.requestParameters, "backupRetentionPeriod") !== undefined && retention === 0;
      if (retentionOff) changes.push("automated backups turned off (retention 0 deletes the existing ones)");
      if (paramBool(r, "deletionProtection") === false) changes.push("deletion protection turned off");
      if (changes.length === 0) return undefined;
      return { changes, severity: retentionOff ? "high" : "medium" };
    }
  }
}

/**
 * Changes that take away the way back for an RDS database: retained automated backups or snapshots
 * deleted, automated backups turned off (backup retention 0), deletion protection turned off. Often
 * the step before a database is deleted or held for ransom. AWS Backup and other services managing
 * their own snapshots are left out; snapshot deletions by pipelines (retention jobs) are low.
 */
export default defineRule<undefined, Weakening>({
  id: "rds.recovery-weakened",
  title: "RDS backups deleted or protection removed",
  severity: "medium",
  description:
    "RDS backups or snapshots were deleted, automated backups turned off, or deletion protection removed: each takes away a way to recover the data.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: [
    "DeleteDBInstanceAutomatedBackup", "DeleteDBClusterAutomatedBackup", "DeleteDBSnapshot", "DeleteDBClusterSnapshot",
    "ModifyDBInstance", "ModifyDBCluster",
  ],
  match: (r) => weakening(r),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} weakened recovery of RDS ${subject(r) ?? "(unknown)"} in account ${accountOfRecord(r)}: ${m.changes.join("; ")}`,
  context: (r, _c, m) => ({
    subject: subject(r),
    call: r.eventName,
    changes: m.changes,
    snapshotType: paramString(r, "snapshotType") ?? responseString(r, "snapshotType"),
  }),
  status: "experimental",
  falsePositives: [
    "Retention jobs deleting old snapshots (low from a pipeline).",
    "Deletion protection removed before a planned deletion.",
  ],
  runbook: {
    triage: [
      "Is it part of a planned decommissioning or backup change?",
      "What recovery is left (snapshots, AWS Backup, copies), and did the database get deleted next?",
    ],
    contain: [
      "Turn deletion protection and backup retention back on; copy remaining snapshots to a locked backup vault.",
      "Revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1490", "T1485"],
    panther: ["AWS.RDS.AutomatedBackupDeleted", "AWS.RDS.DeletionProtectionDisabled", "AWS.RDS.SnapshotDeleted"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstanceAutomatedBackup.html"],
  },
});
