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
    "RDS automated backups or snapshots were deleted, automated backups were turned off, or deletion protection was removed from a database. Each takes away a way to recover the data; together they prepare a destructive deletion.",
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
  falsePositives: [
    "Retention jobs deleting old manual snapshots (low when a pipeline role does it).",
    "Decommissioning: deletion protection is turned off right before a planned deletion.",
  ],
  runbook: {
    triage: [
      "Was this part of a planned decommissioning or a backup-policy change?",
      "What recovery is left: other snapshots, AWS Backup recovery points, cross-region copies?",
      "Did the same principal then delete the database (rds.database-deleted) or change its access?",
    ],
    contain: [
      "Turn deletion protection back on and restore the backup retention period.",
      "Copy the remaining snapshots to a separate backup account or a locked AWS Backup vault.",
      "Revoke the caller's credentials if the change was not expected.",
    ],
  },
  references: {
    mitre: ["T1490", "T1485"],
    panther: ["AWS.RDS.AutomatedBackupDeleted", "AWS.RDS.DeletionProtectionDisabled", "AWS.RDS.SnapshotDeleted"],
  },
});
