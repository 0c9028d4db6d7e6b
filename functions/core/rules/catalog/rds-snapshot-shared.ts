import type { CloudTrailRecord } from "../../record/schema";
import { paramString, stringList } from "../helpers";
import { sharedOutsideRule, type Grantees } from "../shared-outside";

/** Who the call adds to the snapshot's restore permission: "all" (public) and account ids. */
function dbSnapshotGrantees(r: CloudTrailRecord): Grantees | undefined {
  if (paramString(r, "attributeName") !== "restore") return undefined;
  const added = stringList(r.requestParameters?.["valuesToAdd"]);
  return { isPublic: added.some((v) => v.toLowerCase() === "all"), accounts: added.filter((v) => v.toLowerCase() !== "all") };
}

function snapshotOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBSnapshotIdentifier") ?? paramString(r, "dBClusterSnapshotIdentifier");
}

/**
 * An RDS or Aurora snapshot made public or shared with an untrusted account (restore permission
 * added): the receiver can restore the whole database (Stratus "rds-share-snapshot").
 */
export default sharedOutsideRule({
  id: "rds.snapshot-shared",
  title: "RDS snapshot shared outside the account",
  severity: "high",
  description:
    "A database snapshot was made public or shared with an AWS account that is not listed as trusted. The receiver can restore the database and read all its data.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"],
  resource: "DB snapshot",
  idField: "snapshot",
  resourceId: snapshotOf,
  grantees: dbSnapshotGrantees,
  status: "stable",
  falsePositives: [
    "Sharing snapshots with the organization's backup account (list it in `trustedAccounts`).",
  ],
  runbook: {
    triage: [
      "Which account got the snapshot, was it public, and what database did it come from?",
    ],
    contain: [
      "Remove the permission (`aws rds modify-db-snapshot-attribute --attribute-name restore --values-to-remove`) and treat the data as exposed.",
    ],
  },
  references: {
    mitre: ["T1537"],
    stratus: ["aws.exfiltration.rds-share-snapshot"],
    panther: ["AWS.RDS.SnapshotShared"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html"],
  },
});
