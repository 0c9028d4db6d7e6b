import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramBool, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

function databaseOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier") ?? paramString(r, "globalClusterIdentifier");
}

interface Deletion {
  noFinalSnapshot: boolean;
  backupsDeleted: boolean;
  severity: Severity;
}

function deletion(r: CloudTrailRecord): Deletion {
  const noFinalSnapshot = paramBool(r, "skipFinalSnapshot") === true;
  const backupsDeleted = paramBool(r, "deleteAutomatedBackups") === true;
  const severity: Severity = noFinalSnapshot ? "high" : calledByAwsService(r) ? "low" : "medium";
  return { noFinalSnapshot, backupsDeleted, severity };
}

/**
 * An RDS database instance or cluster deleted. High when no final snapshot was kept (the data is gone
 * unless a backup exists elsewhere), medium otherwise, low when CloudFormation deleted it with a final
 * snapshot as part of a stack.
 */
export default defineRule<undefined, Deletion>({
  id: "rds.database-deleted",
  title: "RDS database deleted",
  severity: "medium",
  description:
    "An RDS database instance or Aurora cluster was deleted. Without a final snapshot its data is gone unless backups survive elsewhere; destroying databases is how attackers cause damage or cover their tracks.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["DeleteDBInstance", "DeleteDBCluster", "DeleteGlobalCluster"],
  match: (r) => deletion(r),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} deleted RDS ${r.eventName === "DeleteDBInstance" ? "instance" : "cluster"} ${databaseOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)}${m.noFinalSnapshot ? " without a final snapshot" : ""}${m.backupsDeleted ? " and its automated backups" : ""}`,
  context: (r, _c, m) => ({
    database: databaseOf(r),
    finalSnapshot: paramString(r, "finalDBSnapshotIdentifier") ?? paramString(r, "finalDBClusterSnapshotIdentifier"),
    skipFinalSnapshot: m.noFinalSnapshot,
    deleteAutomatedBackups: m.backupsDeleted,
  }),
  falsePositives: [
    "Decommissioning of a database with a change request; test databases torn down by their owners.",
  ],
  runbook: {
    triage: [
      "Was the deletion planned? Look for a change request or a stack deletion that explains it.",
      "Is there a final snapshot, retained automated backups (describe-db-instance-automated-backups) or an AWS Backup recovery point?",
      "What else did the same principal delete or change in the hour (snapshots, backups, deletion protection)?",
    ],
    contain: [
      "Restore from the final snapshot or retained backups if the deletion was not planned.",
      "Revoke the caller's credentials, and protect the remaining databases with deletion protection and AWS Backup vault lock.",
    ],
  },
  references: {
    mitre: ["T1485"],
    panther: ["AWS.RDS.InstanceDeletion"],
    sigma: ["Modification or Deletion of an AWS RDS Cluster"],
  },
});
