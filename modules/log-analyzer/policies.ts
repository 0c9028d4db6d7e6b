import { catalog } from "../../functions/core/rules/catalog";
import type { RemediationId } from "../../functions/core/rules/rule";
import { REMEDIATION_PERMISSIONS, VERIFICATION_PERMISSION } from "../../functions/core/remediation/permissions";
import type { PolicyStatementSpec } from "../platform";
import { logKeyPrefix, memberOrganizationId, type LogAnalyzerSettings } from "./config";

/** What the policy builders need to know about the deployment and the resources the construct made. */
export interface AnalyzerPolicyContext {
  partition: string;
  account: string;
  alertTopicArn: string;
  /** The platform key: it encrypts the alert topic and the idempotency table. */
  platformKeyArn: string;
  /** The queues' own key, only when they do not use the platform key (a source in another account). */
  intakeKeyArn?: string;
  queueArn: string;
  tableArn: string;
  /** The remediator function, when one is deployed: the analyzer may only invoke it. */
  remediatorArn?: string;
  /** The alert ledger table (platform key), when alerts go out through it. */
  ledgerTableArn?: string;
}

/** The remediations that run in `apply` mode, each with the rule ids that enable it, in a stable order. */
export function appliedRemediations(settings: Pick<LogAnalyzerSettings, "remediation">): { id: RemediationId; rules: string[] }[] {
  const byRemediation = new Map<RemediationId, string[]>();
  for (const rule of catalog) {
    if (!rule.remediation || settings.remediation[rule.id] !== "apply") continue;
    byRemediation.set(rule.remediation, [...(byRemediation.get(rule.remediation) ?? []), rule.id]);
  }
  return [...byRemediation.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, rules]) => ({ id, rules: rules.sort() }));
}

/** Fills `${partition}`/`${account}` of a remediation resource pattern; never lets a `${` reach Terraform. */
export function fillResource(pattern: string, partition: string, account: string): string {
  const filled = pattern.replaceAll("${partition}", partition).replaceAll("${account}", account);
  if (filled.includes("${")) throw new Error(`remediation resource "${pattern}" has a placeholder other than \${partition}/\${account}`);
  return filled;
}

/** Statement id from a remediation id: `iam.detach-admin-policy` -> `RemediateIamDetachAdminPolicy`. */
function sidOf(id: string): string {
  return "Remediate" + id.split(/[.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

/**
 * The log-analyzer function's policy: read the trail's log files (and decrypt them), remember them
 * in the idempotency table, consume the queue, publish alerts, and invoke the remediator function
 * when one is deployed (the remediation write actions are the remediator's, see {@link remediatorStatements}).
 */
export function logAnalyzerStatements(settings: LogAnalyzerSettings, ctx: AnalyzerPolicyContext): PolicyStatementSpec[] {
  const statements: PolicyStatementSpec[] = [
    {
      sid: "ReadTrailLogFiles",
      actions: ["s3:GetObject"],
      resources: [`arn:${ctx.partition}:s3:::${settings.bucketName}/${logKeyPrefix(settings)}*`],
    },
    {
      // Without ListBucket S3 answers AccessDenied for a deleted object instead of NoSuchKey, and the
      // handler could not tell "gone, skip it" from "not allowed, dead-letter it". Limited to the log prefix.
      sid: "TellDeletedLogFilesApart",
      actions: ["s3:ListBucket"],
      resources: [`arn:${ctx.partition}:s3:::${settings.bucketName}`],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${logKeyPrefix(settings)}*`] }],
    },
  ];
  if (settings.logKmsKeyArn) {
    statements.push({ sid: "DecryptTrailLogFiles", actions: ["kms:Decrypt"], resources: [settings.logKmsKeyArn] });
  }
  statements.push(
    {
      sid: "RememberProcessedLogFiles",
      // The idempotency store claims, completes and releases with conditional UpdateItem only; threshold
      // state in the same table is read with BatchGetItem and saved with conditional UpdateItem.
      actions: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
      resources: [ctx.tableArn],
    },
    {
      sid: "ConsumeLogFileNotifications",
      actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
      resources: [ctx.queueArn],
    },
    { sid: "PublishAlerts", actions: ["sns:Publish"], resources: [ctx.alertTopicArn] },
  );
  if (ctx.ledgerTableArn) {
    // LedgerAlertSink claims, completes and releases alert ids with conditional UpdateItem only.
    statements.push({ sid: "SendEachAlertOnce", actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [ctx.ledgerTableArn] });
  }
  // One key statement: the tables, the topic and (usually) the queue use the platform key.
  const keys = ctx.intakeKeyArn ? [ctx.platformKeyArn, ctx.intakeKeyArn] : [ctx.platformKeyArn];
  statements.push({ sid: "UseDeploymentKeys", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: keys });

  if (ctx.remediatorArn) {
    statements.push({ sid: "InvokeRemediator", actions: ["lambda:InvokeFunction"], resources: [ctx.remediatorArn] });
  }
  return statements;
}

/** One remediation's grant, with its resources rendered by the caller (filled ARNs, or CloudFormation expressions). */
export interface RemediationGrant<R> {
  sid: string;
  actions: string[];
  resources: (R | "*")[];
}

/**
 * The grants of exactly the remediations configured `apply` (dry-run needs none): per remediation
 * its scoped actions on its resource patterns (rendered by `resource`), and its unscoped read-only
 * lookups on "*". One builder for the remediator's own policy and the member role's.
 */
export function remediationGrants<R>(settings: Pick<LogAnalyzerSettings, "remediation">, resource: (pattern: string) => R): RemediationGrant<R>[] {
  const grants: RemediationGrant<R>[] = [];
  for (const r of appliedRemediations(settings)) {
    const p = REMEDIATION_PERMISSIONS[r.id];
    grants.push({ sid: sidOf(r.id), actions: [...p.actions], resources: p.resources.map(resource) });
    if (p.unscoped) grants.push({ sid: `${sidOf(r.id)}Lookups`, actions: [...p.unscoped.actions], resources: ["*"] });
  }
  return grants;
}

/** The read every remediation makes first, in dry-run too: the event in CloudTrail's event history (no resource type). */
export function verificationGrant(): RemediationGrant<never> {
  return { sid: "VerifyEventsInEventHistory", actions: [...VERIFICATION_PERMISSION.actions], resources: ["*"] };
}

/** What of the config decides the remediator's policy. */
export type RemediatorPolicySettings = Pick<LogAnalyzerSettings, "remediation"> &
  Partial<Pick<LogAnalyzerSettings, "remediationMemberRole" | "organizationId" | "layout">>;

/** The resources the remediator's policy names besides the remediations' own. */
export interface RemediatorPolicyContext extends Pick<AnalyzerPolicyContext, "partition" | "account"> {
  /** The remediation ledger table, deployed when a remediation is `apply`. */
  ledgerTableArn?: string;
  /** The key the ledger table is encrypted with (the platform key). */
  platformKeyArn?: string;
}

/**
 * The remediator function's policy: `cloudtrail:LookupEvents` (every remediation verifies its event
 * in CloudTrail's event history first, dry-run too), the write actions of exactly the remediations
 * configured `apply`, and the remediation ledger table (claim, complete, release: conditional
 * PutItem, UpdateItem, DeleteItem; GetItem to say who handled an event) with its key. The log
 * analyzer, which parses attacker-influenced log content, holds none of them; it may only invoke
 * the remediator. With a member role, also {@link memberRoleStatement}.
 */
export function remediatorStatements(settings: RemediatorPolicySettings, ctx: RemediatorPolicyContext): PolicyStatementSpec[] {
  const statements: PolicyStatementSpec[] = [verificationGrant(), ...remediationGrants(settings, (res) => fillResource(res, ctx.partition, ctx.account))];
  if (ctx.ledgerTableArn) {
    statements.push({ sid: "RemediateEachEventOnce", actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources: [ctx.ledgerTableArn] });
    if (ctx.platformKeyArn) statements.push({ sid: "UseLedgerKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ctx.platformKeyArn] });
  }
  if (settings.remediationMemberRole && remediationEnabled(settings)) statements.push(memberRoleStatement(settings, ctx.partition));
  return statements;
}

/**
 * `sts:AssumeRole` on the member role in every account of the Organization: the account part of the
 * ARN is `*` (the member accounts are the Organization's, which change; the stack set's auto
 * deployment adds the role to new accounts), and `aws:ResourceOrgID` bounds it to the Organization.
 */
export function memberRoleStatement(settings: RemediatorPolicySettings, partition: string): PolicyStatementSpec {
  const role = settings.remediationMemberRole;
  const org = memberOrganizationId({ organizationId: settings.organizationId, layout: settings.layout ?? { type: "account" } });
  if (!role) throw new Error("memberRoleStatement: no remediationMemberRole is configured");
  if (!org) throw new Error("logAnalyzer.remediationMemberRole needs the Organization's id (organizationId, or layout organization) to bound sts:AssumeRole to it");
  return {
    sid: "AssumeMemberRemediationRole",
    actions: ["sts:AssumeRole"],
    resources: [`arn:${partition}:iam::*:role/${role.name}`],
    conditions: [{ test: "StringEquals", variable: "aws:ResourceOrgID", values: [org] }],
  };
}

/** Whether any rule's remediation runs (dry-run or apply): then the remediator function is deployed. */
export function remediationEnabled(settings: Pick<LogAnalyzerSettings, "remediation">): boolean {
  return Object.values(settings.remediation).some((mode) => mode !== "off");
}
