import type { PolicyStatementSpec } from "../platform";
import { logsRoot } from "./glue-table";
import type { OrgAnomalySettings } from "./config";

/** What the policy builders need to know about the deployment and the resources the construct made. */
export interface AnomalyPolicyContext {
  partition: string;
  account: string;
  region: string;
  alertTopicArn: string;
  fanoutTopicArn: string;
  platformKeyArn: string;
  workgroupName: string;
  databaseName: string;
  tableName: string;
  baselineTableArn: string;
  resultsBucketArn: string;
}

/**
 * Muster: read the Organization, publish to the fan-out topic.
 *
 * `organizations:ListAccounts`, `ListAccountsForParent` and `ListOrganizationalUnitsForParent`
 * define no resource type in IAM, so `Resource: "*"` is the only way to grant them (they read the
 * account list, nothing else). `ListTagsForResource` does: it is scoped to the Organization's
 * accounts. With `organizationsRoleArn` muster instead assumes that role (granted there).
 */
export function musterStatements(s: OrgAnomalySettings, ctx: AnomalyPolicyContext): PolicyStatementSpec[] {
  const out: PolicyStatementSpec[] = [
    { sid: "FanOutToDiscernment", actions: ["sns:Publish"], resources: [ctx.fanoutTopicArn] },
    { sid: "EncryptForFanOutTopic", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ctx.platformKeyArn] },
  ];
  if (s.organizationsRoleArn) {
    out.push({ sid: "ReadOrganizationThroughRole", actions: ["sts:AssumeRole"], resources: [s.organizationsRoleArn] });
    return out;
  }
  const needsTags = s.units.some((u) => u.tag);
  const needsOus = s.units.some((u) => u.organizationalUnits);
  if (needsTags) out.push({ sid: "ListOrganizationAccounts", actions: ["organizations:ListAccounts"], resources: ["*"] });
  if (needsOus) out.push({ sid: "WalkOrganizationalUnits", actions: ["organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"], resources: ["*"] });
  if (needsTags) {
    const orgId = s.layout.type === "organization" ? s.layout.organizationId : "*";
    out.push({ sid: "ReadAccountTags", actions: ["organizations:ListTagsForResource"], resources: [`arn:${ctx.partition}:organizations::${s.managementAccountId}:account/${orgId}/*`] });
  }
  return out;
}

/** The key prefix (no bucket) of one account's logs, or of every account's with `*`. */
function accountPrefix(s: OrgAnomalySettings, account: string): string {
  return `${logsRoot(s).replace(`s3://${s.bucketName}/`, "")}${account}/CloudTrail/`;
}

/**
 * Discernment (`account`: a dedicated function reads only that account's logs): run the activity
 * query in its workgroup (Athena reads the logs and writes results with the caller's permissions),
 * keep the baseline, publish alerts, and optionally read role trust policies in member accounts.
 */
export function discernmentStatements(s: OrgAnomalySettings, ctx: AnomalyPolicyContext, account = "*"): PolicyStatementSpec[] {
  const p = ctx.partition;
  const bucketArn = `arn:${p}:s3:::${s.bucketName}`;
  const prefix = accountPrefix(s, account);
  const out: PolicyStatementSpec[] = [
    {
      sid: "RunActivityQueries",
      actions: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
      resources: [`arn:${p}:athena:${ctx.region}:${ctx.account}:workgroup/${ctx.workgroupName}`],
    },
    {
      sid: "ReadCloudTrailTableDefinition",
      actions: ["glue:GetDatabase", "glue:GetTable"],
      resources: [
        `arn:${p}:glue:${ctx.region}:${ctx.account}:catalog`,
        `arn:${p}:glue:${ctx.region}:${ctx.account}:database/${ctx.databaseName}`,
        `arn:${p}:glue:${ctx.region}:${ctx.account}:table/${ctx.databaseName}/${ctx.tableName}`,
      ],
    },
    { sid: "ReadTrailLogFiles", actions: ["s3:GetObject"], resources: [`${bucketArn}/${prefix}*`] },
    {
      // Athena lists each projected folder; discernment lists the account's regions (one level).
      sid: "ListTrailLogFolders",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${prefix}*`] }],
    },
    { sid: "LocateTrailBucket", actions: ["s3:GetBucketLocation"], resources: [bucketArn] },
    {
      sid: "WriteAndReadQueryResults",
      actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucket", "s3:GetBucketLocation"],
      resources: [ctx.resultsBucketArn, `${ctx.resultsBucketArn}/*`],
    },
    {
      // Query results (SSE-KMS), the alert topic and the baseline table use the platform key.
      sid: "UsePlatformKey",
      actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"],
      resources: [ctx.platformKeyArn],
    },
    { sid: "KeepBaseline", actions: ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:BatchWriteItem"], resources: [ctx.baselineTableArn] },
    { sid: "PublishAlerts", actions: ["sns:Publish"], resources: [ctx.alertTopicArn] },
  ];
  if (s.logKmsKeyArn) out.push({ sid: "DecryptTrailLogFiles", actions: ["kms:Decrypt"], resources: [s.logKmsKeyArn] });
  if (s.trustRole) {
    out.push({ sid: "ReadRoleTrustInMemberAccounts", actions: ["sts:AssumeRole"], resources: [`arn:${p}:iam::${account}:role/${s.trustRole.name}`] });
  }
  return out;
}
