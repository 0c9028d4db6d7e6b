import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool, dig, paramString } from "../helpers";

function madePublic(r: CloudTrailRecord): boolean {
  return asBool(dig(r.requestParameters, "publiclyAccessible")) === true || asBool(dig(r.responseElements, "publiclyAccessible")) === true;
}

function dbOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier");
}

/**
 * A database given a public endpoint: ModifyDBInstance/ModifyDBCluster setting publiclyAccessible,
 * or a create/restore that comes up public (request or response). Security groups still filter, but
 * the database is now reachable from the internet wherever they allow it.
 */
export default defineRule({
  id: "rds.instance-made-public",
  title: "RDS database made publicly accessible",
  severity: "high",
  description:
    "A database instance or cluster was made publicly accessible (or created/restored that way): its endpoint resolves to a public address. Combined with a permissive security group or a weak password, the data is one login away from the internet.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: [
    "ModifyDBInstance", "ModifyDBCluster", "CreateDBInstance", "CreateDBCluster", "RestoreDBInstanceFromDBSnapshot",
    "RestoreDBInstanceToPointInTime", "RestoreDBClusterFromSnapshot", "RestoreDBClusterToPointInTime", "RestoreDBInstanceFromS3",
  ],
  match: madePublic,
  summary: (r, { principal }) => {
    const verb = r.eventName.startsWith("Modify") ? "made" : r.eventName.startsWith("Restore") ? "restored" : "created";
    return `${actor(principal)} ${verb} database ${dbOf(r) ?? "(unknown)"} ${verb === "made" ? "publicly accessible" : "with public access"} in account ${accountOfRecord(r)}`;
  },
  context: (r) => ({ database: dbOf(r), action: r.eventName, vpcSecurityGroupIds: dig(r.requestParameters, "vPCSecurityGroupIds") ?? dig(r.requestParameters, "vpcSecurityGroupIds") }),
  status: "stable",
  falsePositives: [
    "Databases deliberately reachable from outside (rare; prefer a bastion or private connectivity).",
  ],
  runbook: {
    triage: [
      "Which database, which security groups, and are they open to the internet on the database port?",
    ],
    contain: [
      "Set the instance back to private (`aws rds modify-db-instance --no-publicly-accessible --apply-immediately`) and review its connection logs.",
    ],
  },
  references: {
    mitre: ["T1190"],
    panther: ["AWS.RDS.InstanceMadePublic", "AWS.RDS.PublicRestore"],
    sigma: ["Restore Public AWS RDS Instance"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html"],
  },
});
