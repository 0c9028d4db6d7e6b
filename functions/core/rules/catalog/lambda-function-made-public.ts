import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfPrincipal, accountOfRecord, actor, paramString } from "../helpers";

interface Exposure {
  severity: Severity;
  what: string;
}

function functionOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "functionName") ?? paramString(r, "layerName");
}

/** How this call opens a function (or layer) to outsiders, or undefined. */
export function lambdaExposure(r: CloudTrailRecord): Exposure | undefined {
  if (r.eventName.startsWith("CreateFunctionUrlConfig") || r.eventName.startsWith("UpdateFunctionUrlConfig")) {
    return paramString(r, "authType") === "NONE" ? { severity: "medium", what: "a function URL with no authentication (anyone on the internet can invoke it)" } : undefined;
  }
  const principal = paramString(r, "principal");
  if (!principal) return undefined;
  const narrowed = !!(paramString(r, "sourceArn") || paramString(r, "sourceAccount") || paramString(r, "principalOrgID") || paramString(r, "organizationId"));
  if (r.eventName.startsWith("AddLayerVersionPermission")) {
    return principal === "*" && !narrowed ? { severity: "medium", what: "a layer version anyone can use and download" } : undefined;
  }
  if (principal === "*" && !narrowed) {
    return paramString(r, "functionUrlAuthType") === "NONE"
      ? { severity: "medium", what: "permission for anyone to invoke its unauthenticated function URL" }
      : { severity: "high", what: `a resource policy letting anyone (Principal "*") call ${paramString(r, "action") ?? "it"}` };
  }
  const acct = accountOfPrincipal(principal);
  if (acct && acct !== accountOfRecord(r)) return { severity: "medium", what: `a resource policy letting account ${acct} call ${paramString(r, "action") ?? "it"}` };
  return undefined;
}

/**
 * A Lambda function opened to outsiders: a resource-based policy statement for Principal "*" with no
 * source or organization condition (Stratus "lambda-backdoor-function"), or for another account, a
 * function URL with auth type NONE, or a layer version shared with everyone. Public function URLs
 * are sometimes intended (webhooks), hence medium.
 */
export default defineRule({
  id: "lambda.function-made-public",
  title: "Lambda function opened to outsiders",
  severity: "high",
  description:
    "A Lambda function can now be invoked from outside the account: its resource policy allows anyone or another account, or it got an unauthenticated function URL. An attacker uses this to keep a way back in; an accident exposes whatever the function can reach.",
  eventSources: ["lambda.amazonaws.com"],
  eventNames: [
    "AddPermission20150331", "AddPermission20150331v2", "CreateFunctionUrlConfig20211031", "UpdateFunctionUrlConfig20211031",
    "AddLayerVersionPermission20181031", "AddLayerVersionPermission20181031v2",
  ],
  match: (r) => lambdaExposure(r) !== undefined,
  severityFor: (r) => lambdaExposure(r)!.severity,
  summary: (r, { principal }) =>
    `${actor(principal)} gave Lambda ${r.eventName.startsWith("AddLayer") ? "layer" : "function"} ${functionOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)} ${lambdaExposure(r)!.what}`,
  context: (r) => ({
    function: functionOf(r),
    statementId: paramString(r, "statementId"),
    principal: paramString(r, "principal"),
    action: paramString(r, "action"),
    authType: paramString(r, "authType") ?? paramString(r, "functionUrlAuthType"),
  }),
  status: "stable",
  falsePositives: [
    "Public webhooks and APIs built on function URLs on purpose (document them).",
  ],
  runbook: {
    triage: [
      "Who may invoke the function now (context: principal, URL auth type), and what can the function's role reach?",
    ],
    contain: [
      "Remove the permission (`aws lambda remove-permission`) or set the URL auth to AWS_IAM, and review invocations since the change.",
    ],
  },
  references: {
    mitre: ["T1098", "T1546"],
    stratus: ["aws.persistence.lambda-backdoor-function"],
    sigma: ["New AWS Lambda Function URL Configuration Created"],
    urls: ["https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"],
  },
});
