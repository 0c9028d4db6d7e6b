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
    "Public or shared RDS snapshots were listed: attackers look for snapshots they can restore and read; people seldom need it outside migrations.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["DescribeDBSnapshots", "DescribeDBClusterSnapshots"],
  match: (r) => !calledByAwsService(r) && (paramBool(r, "includePublic") === true || paramBool(r, "includeShared") === true),
  summary: (r, { principal }) =>
    `${actor(principal)} listed ${paramBool(r, "includePublic") ? "public" : "shared"} RDS ${r.eventName === "DescribeDBSnapshots" ? "DB" : "cluster"} snapshots in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${r.eventTime.slice(0, 10)}`,
  context: (r) => ({ includePublic: paramBool(r, "includePublic") ?? false, includeShared: paramBool(r, "includeShared") ?? false }),
  falsePositives: [
    "Migrations between your accounts; the console's \"Shared with me\" view.",
  ],
  runbook: {
    triage: [
      "Is the caller migrating data? Was a snapshot restored afterwards?",
    ],
    contain: [
      "Revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1580", "T1619"],
    panther: ["AWS.RDS.SnapshotEnumeration"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html"],
  },
});
