import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramBool, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

function databaseOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier") ?? paramString(r, "globalClusterIdentifier") ??
    paramString(r, "dBShardGroupIdentifier");
}

/**
 * An RDS database rebooted or failed over by a caller. It interrupts every connection, and a forced
 * failover after a configuration change (parameter group, password) is how such changes are made to
 * take effect at once. Operations do this on purpose, so the rule is low and collapses per caller and
 * hour.
 */
export default defineRule({
  id: "rds.database-restarted",
  title: "RDS database rebooted or failed over",
  severity: "low",
  description:
    "An RDS database was rebooted or failed over. Routine in maintenance; unexpected restarts break service and make a malicious change take effect at once.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["RebootDBInstance", "RebootDBCluster", "RebootDBShardGroup", "FailoverDBCluster", "FailoverGlobalCluster", "SwitchoverGlobalCluster"],
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} called ${r.eventName} on ${databaseOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)}${paramBool(r, "forceFailover") ? " with a forced failover" : ""}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${databaseOf(r) ?? ""}|${hourOf(r)}`,
  context: (r) => ({
    database: databaseOf(r),
    call: r.eventName,
    forceFailover: paramBool(r, "forceFailover"),
    targetInstance: paramString(r, "targetDBInstanceIdentifier") ?? paramString(r, "targetDbClusterIdentifier"),
  }),
  status: "experimental",
  falsePositives: [
    "Maintenance, parameter changes and failover tests.",
  ],
  runbook: {
    triage: [
      "Was maintenance planned? What changed on the database just before (parameters, password)?",
    ],
    contain: [
      "Revert a malicious change and restart in a window; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1499", "T1562"],
    panther: ["AWS.RDS.ClusterFailover", "AWS.RDS.InstanceRebooted"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html"],
  },
});
