import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { auditsCaller, CHANGE_AUDIT_STEPS, changeAuditKey, changeAuditSettings, via, type ChangeAuditSettings } from "../change-audit";

/**
 * Change audit of Lambda resource policies: a statement added that lets a principal (a service, an
 * account, a role) invoke or manage a function, at info and once per caller, account, region and hour
 * (see `change-audit.ts`). Every S3, SNS, EventBridge or API Gateway trigger adds one; a statement for
 * anyone or another account is `lambda.function-made-public` (high or medium), reported at once.
 */
export default defineRule<ChangeAuditSettings>({
  id: "lambda.permission-added",
  title: "Lambda function permission added",
  severity: "info",
  status: "experimental",
  description:
    "A statement was added to a Lambda function's resource policy, letting a service, account or role invoke or manage it. Recorded at info, once per caller, account, region and hour; a statement for anyone or another account is `lambda.function-made-public` (high or medium).",
  eventSources: ["lambda.amazonaws.com"],
  eventNames: ["AddPermission20150331", "AddPermission20150331v2"],
  match: (_r, { principal, settings }) => auditsCaller(principal, settings),
  summary: (r, { principal }) => {
    const who = paramString(r, "principal");
    const source = paramString(r, "sourceArn") ?? paramString(r, "sourceAccount");
    return `${actor(principal)} added a permission to Lambda function ${paramString(r, "functionName") ?? "(unknown)"} in account ${accountOfRecord(r)}${who ? ` for ${who}` : ""}${source ? ` from ${source}` : ""}${via(r)}`;
  },
  dedupKey: (r, { principal }) => changeAuditKey(r, principal),
  context: (r) => ({
    function: paramString(r, "functionName"),
    statementId: paramString(r, "statementId"),
    action: paramString(r, "action"),
    principal: paramString(r, "principal"),
    sourceArn: paramString(r, "sourceArn"),
    sourceAccount: paramString(r, "sourceAccount"),
    principalOrgID: paramString(r, "principalOrgID"),
    invokedBy: r.userIdentity?.invokedBy ?? undefined,
  }),
  falsePositives: [
    "Deployments wiring triggers (S3 notifications, SNS subscriptions, EventBridge rules, API Gateway): name the pipeline's role in ignorePrincipals when its changes are reviewed in code.",
  ],
  runbook: {
    triage: [
      CHANGE_AUDIT_STEPS.who,
      CHANGE_AUDIT_STEPS.related,
      "Read the statement in context: which principal may call which action, narrowed by which source ARN or account? Does the function's policy (GetPolicy) hold only what you expect?",
    ],
    contain: [
      CHANGE_AUDIT_STEPS.revert,
      "Remove a statement nobody planned (RemovePermission with its statementId) and review the function's recent invocations and code.",
    ],
  },
  references: {
    mitre: ["T1098", "T1546"],
    panther: ["AWS.Potential.Backdoor.Lambda"],
    urls: ["https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"],
  },
  settings: changeAuditSettings,
});
