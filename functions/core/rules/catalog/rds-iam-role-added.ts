import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { actsByHand, calledByAwsService } from "../caller";

function databaseOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier");
}

/**
 * An IAM role associated with an RDS database (AddRoleToDBInstance / AddRoleToDBCluster). The role lets
 * the database engine itself call AWS: export query results to S3, invoke Lambda, load from S3. From
 * inside SQL, that is a path for data to leave that no network control sees. Medium by hand, low from
 * a pipeline that sets up the database.
 */
export default defineRule({
  id: "rds.iam-role-added",
  title: "IAM role associated with an RDS database",
  severity: "medium",
  status: "experimental",
  description:
    "An IAM role was associated with an RDS database for a feature such as S3 export or import or Lambda invocation. Anyone who can run SQL on the database can then use the role, for example to write query results to an S3 bucket.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["AddRoleToDBInstance", "AddRoleToDBCluster"],
  match: (r) => !calledByAwsService(r),
  severityFor: (r) => (actsByHand(r) ? "medium" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} associated role ${paramString(r, "roleArn") ?? "(unknown)"} with RDS ${databaseOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)}${paramString(r, "featureName") ? ` for ${paramString(r, "featureName")}` : ""}`,
  context: (r) => ({ database: databaseOf(r), roleArn: paramString(r, "roleArn"), feature: paramString(r, "featureName") }),
  falsePositives: ["Database teams enabling S3 import/export or Lambda integration through their infrastructure code (low)."],
  runbook: {
    triage: [
      "What does the role allow (s3:PutObject on which buckets, lambda:InvokeFunction on which functions)?",
      "Who asked for the feature? Check the change request and the database owner.",
      "Look in the database's audit log for aws_s3 / SELECT INTO OUTFILE S3 calls after the association.",
    ],
    contain: [
      "Remove the role (rds remove-role-from-db-instance / remove-role-from-db-cluster) if not expected.",
      "Scope the role's S3 permissions to buckets in your organization (aws:ResourceOrgID).",
    ],
  },
  references: {
    mitre: ["T1098", "T1537"],
    panther: ["AWS.RDS.IAMRoleAdded"],
  },
});
