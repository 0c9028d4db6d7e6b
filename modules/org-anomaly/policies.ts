import type { PolicyStatementSpec } from "../platform";
import { logsRoot } from "./glue-table";
import { anomalyOrganizationId, type OrgAnomalySettings } from "./config";

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
 * The Organizations resources muster lists the children of: the root, when a unit names it, and
 * every OU under that root (`ou/<org-id>/ou-<root part>-*`). Muster walks nested OUs, which are
 * only known at run time, and an OU's ARN does not say where in the tree it is, so the OUs of the
 * unit's root are the narrowest set that covers them. An OU id carries its root's id
 * (`ou-<root part>-<ou part>`), so the root id needs no config field of its own.
 */
export function walkedParentArns(units: OrgAnomalySettings["units"], partition: string, managementAccountId: string, organizationId: string): string[] {
  const arns = new Set<string>();
  for (const id of units.flatMap((u) => u.organizationalUnits ?? [])) {
    const rootPart = id.startsWith("r-") ? id.slice(2) : id.split("-")[1]!;
    if (id.startsWith("r-")) arns.add(`arn:${partition}:organizations::${managementAccountId}:root/${organizationId}/${id}`);
    arns.add(`arn:${partition}:organizations::${managementAccountId}:ou/${organizationId}/ou-${rootPart}-*`);
  }
  return [...arns].sort();
}

/**
 * Muster: read the Organization, publish to the fan-out topic.
 *
 * `organizations:ListAccounts` defines no resource type in IAM, so `Resource: "*"` is the only way
 * to grant it (tag units; it reads the account list, nothing else). `ListAccountsForParent` and
 * `ListOrganizationalUnitsForParent` take the parent's ARN (root or OU, see {@link walkedParentArns});
 * `ListTagsForResource` the Organization's accounts. With `organizationsRoleArn` muster instead
 * assumes that role (granted there).
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
  const orgId = anomalyOrganizationId(s);
  const needsTags = s.units.some((u) => u.tag);
  const needsOus = s.units.some((u) => u.organizationalUnits);
  if (needsTags) out.push({ sid: "ListOrganizationAccounts", actions: ["organizations:ListAccounts"], resources: ["*"] });
  if (needsOus) {
    if (!orgId || !s.managementAccountId) {
      throw new Error("orgAnomaly: units by organizationalUnits need organizationId and managementAccountId (the top-level organization section), or organizationsRoleArn");
    }
    out.push({
      sid: "WalkOrganizationalUnits",
      actions: ["organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"],
      resources: walkedParentArns(s.units, ctx.partition, s.managementAccountId, orgId),
    });
  }
  if (needsTags) {
    out.push({ sid: "ReadAccountTags", actions: ["organizations:ListTagsForResource"], resources: [`arn:${ctx.partition}:organizations::${s.managementAccountId}:account/${orgId ?? "*"}/*`] });
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
