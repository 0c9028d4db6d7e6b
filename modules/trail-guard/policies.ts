import { REMEDIATION_PERMISSIONS } from "../../functions/core/remediation/permissions";
import type { PolicyStatementSpec } from "../platform";
import type { TrailGuardSettings } from "./config";

/** What the policy builders need to know about the deployment. */
export interface PolicyContext {
  alertTopicArn: string;
  /** ARN of the platform KMS key that encrypts the alert topic. */
  platformKeyArn: string;
}

/** Publishing to the KMS-encrypted alert topic: the topic, and the key SNS encrypts with. */
export function alertPublishStatements(ctx: PolicyContext): PolicyStatementSpec[] {
  return [
    { sid: "PublishAlerts", actions: ["sns:Publish"], resources: [ctx.alertTopicArn] },
    { sid: "EncryptAlertsForTheTopic", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ctx.platformKeyArn] },
  ];
}

/**
 * The trail-guard function's policy. `cloudtrail:StartLogging` (and the status read that confirms it)
 * is granted only in `apply` mode, and only on the protected trails: in `dry-run` the function says
 * what it would do and needs no write access; a trail outside the list can never be touched.
 */
export function trailGuardStatements(settings: TrailGuardSettings, ctx: PolicyContext & { ledgerTableArn?: string }): PolicyStatementSpec[] {
  const statements = alertPublishStatements(ctx);
  if (ctx.ledgerTableArn) {
    // LedgerAlertSink claims, completes and releases alert ids with conditional UpdateItem only (the
    // table uses the platform key, already granted for the topic).
    statements.push({ sid: "SendEachAlertOnce", actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [ctx.ledgerTableArn] });
  }
  if (settings.remediation["cloudtrail.logging-stopped"] === "apply") {
    statements.push({
      sid: "RestartLoggingOfProtectedTrails",
      actions: [...REMEDIATION_PERMISSIONS["cloudtrail.start-logging"].actions],
      resources: [...settings.protectedTrails],
    });
  }
  return statements;
}

/**
 * The heartbeat's policy: read the status of the protected trails (GetTrailStatus, in each trail's
 * home region), nothing else. `cloudtrail:DescribeTrails` is not granted: the heartbeat does not call
 * it, and it has no resource type, so it could only be granted on every trail.
 */
export function heartbeatStatements(settings: TrailGuardSettings, ctx: PolicyContext & { heartbeatStateArn: string; forwardDlqArns?: string[] }): PolicyStatementSpec[] {
  const forwardDlqs: PolicyStatementSpec[] = ctx.forwardDlqArns?.length
    ? [{ sid: "ReadForwardDlqDepth", actions: ["sqs:GetQueueAttributes"], resources: ctx.forwardDlqArns }]
    : [];
  return [
    ...alertPublishStatements(ctx),
    ...forwardDlqs,
    {
      sid: "ReadProtectedTrailStatus",
      actions: ["cloudtrail:GetTrailStatus"],
      resources: [...settings.protectedTrails],
    },
    {
      // A conditional put claims "alert X sent today"; a delete releases the claim if publishing failed.
      sid: "RememberAlertsSentToday",
      actions: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
      resources: [ctx.heartbeatStateArn],
    },
  ];
}
