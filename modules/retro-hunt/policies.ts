import { logsRoot, normalizeKeyPrefix } from "../../functions/core/aws/cloudtrail-keys";
import { HUNTS_PREFIX } from "../../functions/core/hunt/hunt-keys";
import type { PolicyStatementSpec } from "../platform";
import type { RetroHuntSettings } from "./config";

/** What the policy builders need to know about the deployment and the resources the construct made. */
export interface RetroHuntPolicyContext {
  partition: string;
  resultsBucketArn: string;
  /** The platform key: it encrypts the results bucket (and the alert topic). */
  platformKeyArn: string;
}

/** The trail's key prefix for the configured layout (`<prefix>AWSLogs/` or `<prefix>AWSLogs/<org-id>/`). */
export function huntLogRoot(s: Pick<RetroHuntSettings, "keyPrefix" | "layout">): string {
  return logsRoot(s.layout, normalizeKeyPrefix(s.keyPrefix));
}

const huntObjects = (ctx: RetroHuntPolicyContext) => [`${ctx.resultsBucketArn}/${HUNTS_PREFIX}*`];
const useKey = (ctx: RetroHuntPolicyContext): PolicyStatementSpec => ({ sid: "UseDeploymentKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ctx.platformKeyArn] });

/** The plan function: list the trail's log folders (nothing else of the bucket), write the manifest and plan. */
export function planStatements(s: RetroHuntSettings, ctx: RetroHuntPolicyContext): PolicyStatementSpec[] {
  return [
    {
      sid: "ListTrailLogFolders",
      actions: ["s3:ListBucket"],
      resources: [`arn:${ctx.partition}:s3:::${s.bucketName}`],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${huntLogRoot(s)}*`] }],
    },
    { sid: "WriteManifestAndPlan", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: huntObjects(ctx) },
    useKey(ctx),
  ];
}

/** The scan function: read the trail's log files (and decrypt them), write its batch's alerts. */
export function scanStatements(s: RetroHuntSettings, ctx: RetroHuntPolicyContext): PolicyStatementSpec[] {
  const statements: PolicyStatementSpec[] = [
    { sid: "ReadTrailLogFiles", actions: ["s3:GetObject"], resources: [`arn:${ctx.partition}:s3:::${s.bucketName}/${huntLogRoot(s)}*`] },
  ];
  if (s.logKmsKeyArn) statements.push({ sid: "DecryptTrailLogFiles", actions: ["kms:Decrypt"], resources: [s.logKmsKeyArn] });
  statements.push({ sid: "WriteBatchAlerts", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: huntObjects(ctx) }, useKey(ctx));
  return statements;
}

/** The summarize function: list and read the map's results and the batches' alerts, write the hunt's files; publish only when configured. */
export function summarizeStatements(s: RetroHuntSettings, ctx: RetroHuntPolicyContext & { alertTopicArn: string }): PolicyStatementSpec[] {
  const statements: PolicyStatementSpec[] = [
    {
      sid: "ListHuntResults",
      actions: ["s3:ListBucket"],
      resources: [ctx.resultsBucketArn],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${HUNTS_PREFIX}*`] }],
    },
    { sid: "ReadWriteHuntFiles", actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], resources: huntObjects(ctx) },
    useKey(ctx),
  ];
  if (s.publishAlerts) statements.push({ sid: "PublishHuntAlerts", actions: ["sns:Publish"], resources: [ctx.alertTopicArn] });
  return statements;
}

/**
 * The state machine: invoke exactly its three functions, start and follow its own Distributed Map
 * child executions, read the manifest and write the map's results (ItemReader, ResultWriter) under
 * `hunts/` of the results bucket, with the platform key.
 */
export function stateMachineStatements(ctx: RetroHuntPolicyContext & { functionArns: string[]; stateMachineArn: string; executionsArn: string }): PolicyStatementSpec[] {
  return [
    { sid: "InvokeTheHuntFunctions", actions: ["lambda:InvokeFunction"], resources: ctx.functionArns },
    // A Distributed Map runs each batch as a child execution of this same state machine.
    { sid: "StartBatchExecutions", actions: ["states:StartExecution"], resources: [ctx.stateMachineArn] },
    { sid: "FollowBatchExecutions", actions: ["states:DescribeExecution", "states:StopExecution"], resources: [ctx.executionsArn] },
    { sid: "ReadManifestWriteMapResults", actions: ["s3:GetObject", "s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], resources: huntObjects(ctx) },
    useKey(ctx),
  ];
}
