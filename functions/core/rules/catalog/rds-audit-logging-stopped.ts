import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString, shortName, stringList } from "../helpers";

/** Log types a ModifyDBInstance / ModifyDBCluster stops exporting to CloudWatch Logs. */
function disabledLogTypes(r: CloudTrailRecord): string[] {
  return stringList(dig(r.requestParameters, "cloudwatchLogsExportConfiguration", "disableLogTypes"));
}

function target(r: CloudTrailRecord): string {
  return shortName(paramString(r, "resourceArn"))?.split(":").pop() ?? paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier") ?? "(unnamed)";
}

/**
 * A database's own audit trail switched off: its Database Activity Stream stopped, or its audit,
 * general, error or slow-query logs no longer exported to CloudWatch Logs. What happens inside the
 * database (who queried which table) is then no longer recorded anywhere outside it.
 */
export default defineRule({
  id: "rds.audit-logging-stopped",
  title: "RDS activity stream stopped or log export disabled",
  severity: "high",
  description:
    "An RDS or Aurora database stopped its activity stream or its export of audit, general or error logs to CloudWatch Logs: queries are no longer recorded outside the database.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["StopActivityStream", "ModifyDBInstance", "ModifyDBCluster"],
  match: (r) => r.eventName === "StopActivityStream" || disabledLogTypes(r).length > 0,
  severityFor: (r) => (r.eventName === "StopActivityStream" ? "high" : "medium"),
  summary: (r, { principal }) =>
    r.eventName === "StopActivityStream"
      ? `${actor(principal)} stopped the database activity stream of ${target(r)} in account ${accountOfRecord(r)}`
      : `${actor(principal)} stopped exporting ${disabledLogTypes(r).join(", ")} logs of database ${target(r)} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    database: paramString(r, "resourceArn") ?? paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier"),
    action: r.eventName,
    disabledLogTypes: disabledLogTypes(r),
    applyImmediately: dig(r.requestParameters, "applyImmediately"),
  }),
  status: "stable",
  falsePositives: [
    "A database team reducing log export costs (general or slow-query logs) on a non-production database.",
    "Decommissioning a database (the stream is stopped before deletion).",
  ],
  runbook: {
    triage: [
      "Ask the database owner whether the change was planned; is the database production or holding personal data?",
      "Look at the same principal's other RDS calls (ModifyDBInstance password changes, snapshots, parameter groups) in the hours around.",
      "Check database connections after the change through whatever logging remains (Performance Insights, VPC flow logs).",
    ],
    contain: [
      "Restart the activity stream (StartActivityStream) or re-enable the log exports.",
      "If not expected, rotate the master password and review database users created since.",
    ],
  },
  references: {
    mitre: ["T1562.008"],
    panther: ["AWS.RDS.ActivityStreamStopped"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/DBActivityStreams.html"],
  },
});
