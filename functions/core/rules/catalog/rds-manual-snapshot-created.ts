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
    "A manual RDS snapshot was taken: routine before maintenance, and the first step to sharing or exporting a database.",
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
  falsePositives: [
    "Snapshots before upgrades or migrations; backup scripts outside AWS Backup.",
  ],
  runbook: {
    triage: [
      "Is maintenance planned? Was the snapshot then shared, copied or exported?",
    ],
    contain: [
      "Delete an unneeded snapshot and check it is not shared.",
    ],
  },
  references: {
    mitre: ["T1578.001", "T1530"],
    panther: ["AWS.RDS.ManualSnapshotCreated"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html"],
  },
});
