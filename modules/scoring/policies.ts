import { logsRoot, normalizeKeyPrefix } from "../../functions/core/aws/cloudtrail-keys";
import type { PolicyStatementSpec } from "../platform";
import type { ScoringSettings } from "./config";

/** What the policy builders need to know about the deployment and the resources the construct made. */
export interface ScoringPolicyContext {
  partition: string;
  account: string;
  region: string;
  alertTopicArn: string;
  /** The platform key: it encrypts the working bucket and the alert topic. */
  platformKeyArn: string;
  workBucketArn: string;
}

/** The trail's key prefix for the configured layout (`<prefix>AWSLogs/` or `<prefix>AWSLogs/<org-id>/`). */
export function trailRootPrefix(s: Pick<ScoringSettings, "keyPrefix" | "layout">): string {
  return logsRoot(s.layout, normalizeKeyPrefix(s.keyPrefix));
}

/** The SageMaker endpoint ARN (SageMaker writes endpoint names lowercase in ARNs). */
export function endpointArn(ctx: Pick<ScoringPolicyContext, "partition" | "region" | "account">, name: string): string {
  return `arn:${ctx.partition}:sagemaker:${ctx.region}:${ctx.account}:endpoint/${name.toLowerCase()}`;
}

const workObjects = (ctx: ScoringPolicyContext, prefixes: string[]) => prefixes.map((p) => `${ctx.workBucketArn}/${p}*`);

/**
 * The read function: list and read the trail's log files under the layout's prefix (and decrypt
 * them), read and write the run's files and the history cache in the working bucket.
 */
export function readStatements(s: ScoringSettings, ctx: ScoringPolicyContext): PolicyStatementSpec[] {
  const root = trailRootPrefix(s);
  const statements: PolicyStatementSpec[] = [
    {
      sid: "ListTrailLogFiles",
      actions: ["s3:ListBucket"],
      resources: s.cloudtrailBuckets.map((b) => `arn:${ctx.partition}:s3:::${b}`),
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${root}*`] }],
    },
    { sid: "ReadTrailLogFiles", actions: ["s3:GetObject"], resources: s.cloudtrailBuckets.map((b) => `arn:${ctx.partition}:s3:::${b}/${root}*`) },
  ];
  if (s.logKmsKeyArn) statements.push({ sid: "DecryptTrailLogFiles", actions: ["kms:Decrypt"], resources: [s.logKmsKeyArn] });
  statements.push(
    // Lets HeadObject of a day not yet cached answer 404 instead of 403 (S3 checks ListBucket on the
    // bucket then, with no s3:prefix to condition on). The bucket holds nothing but this capability's files.
    { sid: "ListWorkingBucket", actions: ["s3:ListBucket"], resources: [ctx.workBucketArn] },
    { sid: "ReadWriteRunsAndHistory", actions: ["s3:GetObject", "s3:PutObject"], resources: workObjects(ctx, ["runs/", "history/"]) },
    { sid: "UseDeploymentKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ctx.platformKeyArn] },
  );
  return statements;
}

/** The score function: read pairs and history, write scores; invoke the SageMaker endpoint only when one is configured. */
export function scoreStatements(s: ScoringSettings, ctx: ScoringPolicyContext): PolicyStatementSpec[] {
  const statements: PolicyStatementSpec[] = [
    { sid: "ReadPairsAndHistory", actions: ["s3:GetObject"], resources: workObjects(ctx, ["runs/", "history/"]) },
    { sid: "WriteScores", actions: ["s3:PutObject"], resources: workObjects(ctx, ["runs/"]) },
    { sid: "UseDeploymentKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ctx.platformKeyArn] },
  ];
  if (s.scorer.type === "sagemaker") {
    statements.push({ sid: "InvokeScoringEndpoint", actions: ["sagemaker:InvokeEndpoint"], resources: [endpointArn(ctx, s.scorer.endpointName)] });
  }
  return statements;
}

/** The alert function: read scores, write the run's alerts, publish to the alert topic. */
export function alertStatements(_s: ScoringSettings, ctx: ScoringPolicyContext): PolicyStatementSpec[] {
  return [
    { sid: "ReadScoresWriteAlerts", actions: ["s3:GetObject", "s3:PutObject"], resources: workObjects(ctx, ["runs/"]) },
    { sid: "PublishAlerts", actions: ["sns:Publish"], resources: [ctx.alertTopicArn] },
    // The working bucket and the alert topic are encrypted with the platform key.
    { sid: "UseDeploymentKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ctx.platformKeyArn] },
  ];
}

/**
 * Step Functions' own log delivery to CloudWatch Logs. These CloudWatch Logs actions have no
 * resource type, so AWS documents them on Resource "*" (allow-listed in the policy-check aspect).
 */
export const LOG_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
] as const;
