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
    "An RDS instance or Aurora cluster was deleted; without a final snapshot its data is gone unless backups survive elsewhere.",
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
  status: "experimental",
  falsePositives: [
    "Planned decommissioning; test databases torn down by their owners.",
  ],
  runbook: {
    triage: [
      "Was it planned (change request, stack deletion)?",
      "Is there a final snapshot, retained backups or an AWS Backup recovery point?",
    ],
    contain: [
      "Restore from the snapshot or backups; revoke the caller's credentials; protect the rest with deletion protection.",
    ],
  },
  references: {
    mitre: ["T1485"],
    panther: ["AWS.RDS.InstanceDeletion"],
    sigma: ["Modification or Deletion of an AWS RDS Cluster"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html"],
  },
});
