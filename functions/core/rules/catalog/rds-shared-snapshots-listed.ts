import { defineRule } from "../rule";
import { accountOfRecord, actor, paramBool } from "../helpers";
import { calledByAwsService } from "../caller";

/**
 * A caller listed RDS snapshots shared with the account or public ones (DescribeDBSnapshots /
 * DescribeDBClusterSnapshots with includeShared or includePublic). Looking for other accounts'
 * snapshots to restore is reconnaissance that normal work rarely needs; low, one alert per caller and
 * day.
 */
export default defineRule({
  id: "rds.shared-snapshots-listed",
  title: "Public or shared RDS snapshots listed",
  severity: "low",
  status: "experimental",
  description:
    "Someone listed RDS snapshots that are public or shared with the account. Attackers do this to find snapshots they can restore and read; people seldom need it outside data migrations between accounts.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["DescribeDBSnapshots", "DescribeDBClusterSnapshots"],
  match: (r) => !calledByAwsService(r) && (paramBool(r, "includePublic") === true || paramBool(r, "includeShared") === true),
  summary: (r, { principal }) =>
    `${actor(principal)} listed ${paramBool(r, "includePublic") ? "public" : "shared"} RDS ${r.eventName === "DescribeDBSnapshots" ? "DB" : "cluster"} snapshots in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${r.eventTime.slice(0, 10)}`,
  context: (r) => ({ includePublic: paramBool(r, "includePublic") ?? false, includeShared: paramBool(r, "includeShared") ?? false }),
  falsePositives: ["Migrations that restore snapshots shared by another of your accounts; the console's \"Shared with me\" view."],
  runbook: {
    triage: [
      "Is the caller working on a migration between accounts?",
      "Did the same principal restore a snapshot afterwards (RestoreDBInstanceFromDBSnapshot)?",
    ],
    contain: ["Revoke the caller's credentials if the listing was not expected."],
  },
  references: {
    mitre: ["T1580", "T1619"],
    panther: ["AWS.RDS.SnapshotEnumeration"],
  },
});
