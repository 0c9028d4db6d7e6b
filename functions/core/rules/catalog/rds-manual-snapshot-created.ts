import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

function snapshotType(r: CloudTrailRecord): string | undefined {
  const v = dig(r.responseElements, "snapshotType") ?? dig(r.responseElements, "dBSnapshot", "snapshotType") ?? dig(r.responseElements, "dBClusterSnapshot", "snapshotType");
  return typeof v === "string" ? v : undefined;
}

/**
 * A manual RDS snapshot taken by a caller (not AWS Backup, not the automated backups). Taking a
 * snapshot is the first step to sharing or exporting a database; it is also routine before
 * maintenance, hence low.
 */
export default defineRule({
  id: "rds.manual-snapshot-created",
  title: "Manual RDS snapshot created",
  severity: "low",
  status: "experimental",
  description:
    "A manual snapshot of an RDS database was created. Legitimate before maintenance; also the first step an attacker takes to copy a database out by sharing or exporting the snapshot.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["CreateDBSnapshot", "CreateDBClusterSnapshot"],
  match: (r) => {
    if (calledByAwsService(r)) return false;
    const t = snapshotType(r);
    return t === undefined || t === "manual" || t === "public";
  },
  summary: (r, { principal }) =>
    `${actor(principal)} took manual snapshot ${paramString(r, "dBSnapshotIdentifier") ?? paramString(r, "dBClusterSnapshotIdentifier") ?? "(unknown)"} of RDS ${paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${hourOf(r)}`,
  context: (r) => ({
    database: paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier"),
    snapshot: paramString(r, "dBSnapshotIdentifier") ?? paramString(r, "dBClusterSnapshotIdentifier"),
    snapshotType: snapshotType(r),
  }),
  falsePositives: ["Snapshots taken before upgrades or migrations; backup scripts that do not use AWS Backup."],
  runbook: {
    triage: [
      "Is a maintenance or migration planned for this database?",
      "Did the same principal then share, copy or export the snapshot (rds.snapshot-shared, rds.snapshot-exported)?",
    ],
    contain: ["Delete the snapshot if it is not needed, and check that it is not shared (rds describe-db-snapshot-attributes)."],
  },
  references: {
    mitre: ["T1578.001", "T1530"],
    panther: ["AWS.RDS.ManualSnapshotCreated"],
  },
});
