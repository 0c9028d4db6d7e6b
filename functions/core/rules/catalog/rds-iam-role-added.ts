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
    "An IAM role was associated with an RDS database (S3 export or import, Lambda): anyone who can run SQL there can then use it, e.g. to write query results to S3.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["AddRoleToDBInstance", "AddRoleToDBCluster"],
  match: (r) => !calledByAwsService(r),
  severityFor: (r) => (actsByHand(r) ? "medium" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} associated role ${paramString(r, "roleArn") ?? "(unknown)"} with RDS ${databaseOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)}${paramString(r, "featureName") ? ` for ${paramString(r, "featureName")}` : ""}`,
  context: (r) => ({ database: databaseOf(r), roleArn: paramString(r, "roleArn"), feature: paramString(r, "featureName") }),
  falsePositives: [
    "Database teams enabling S3 or Lambda integration in infrastructure code (low).",
  ],
  runbook: {
    triage: [
      "What does the role allow, on which buckets or functions?",
      "Did the audit log show aws_s3 / INTO OUTFILE S3 calls afterwards?",
    ],
    contain: [
      "Remove the role (remove-role-from-db-instance/cluster); scope its S3 access to your organization.",
    ],
  },
  references: {
    mitre: ["T1098", "T1537"],
    panther: ["AWS.RDS.IAMRoleAdded"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_AddRoleToDBInstance.html"],
  },
});
