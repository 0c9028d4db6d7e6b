import { Annotations, Token, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamPolicyAttachment } from "@cdktf/provider-aws/lib/iam-policy-attachment";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { Platform } from "../platform/platform";

/** The only Lambda runtime trailwatch deploys (nodejs20.x is deprecated in 2026). */
export const LAMBDA_RUNTIME = "nodejs22.x";

/**
 * Actions that may be granted on Resource "*" in an identity policy, each with the reason: the
 * service defines no resource type for them, so no narrower Resource exists. Anything else on "*"
 * fails synth. Add an action here only with its reason, after checking its row in AWS's Service
 * Authorization Reference (SAR, "Actions, resources, and condition keys for <service>"): the
 * "Resource types" column must be empty.
 *
 * Verdict of each entry against the SAR, checked in machine-readable copies of it (iann0036/iam-dataset
 * `aws/iam_definition.json`; udondan/iam-floyd's generated statement tables for X-Ray, CloudTrail,
 * STS and CloudWatch):
 * - xray:PutTraceSegments, xray:PutTelemetryRecords: no resource type. Correct.
 * - ec2:DescribeSecurityGroupRules, ec2:DescribeSecurityGroups: no resource type (condition key
 *   ec2:Region only). Correct.
 * - organizations:ListAccounts, organizations:DescribeOrganization: no resource type. Correct.
 * - organizations:ListAccountsForParent, organizations:ListOrganizationalUnitsForParent: WRONG,
 *   removed. The SAR lists the `organizationalunit` and `root` resource types for both;
 *   modules/org-anomaly scopes them to the Organization's root and OU ARNs.
 * - cloudwatch:PutMetricData: no resource type (scope it with the cloudwatch:namespace condition). Correct.
 * - cloudtrail:DescribeTrails, cloudtrail:ListTrails: no resource type. Correct.
 * - sts:GetCallerIdentity: no resource type (and no permission is needed to call it). Correct.
 * - logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery,
 *   ListLogDeliveries: no resource type (listed among CloudWatch Logs' permission-only actions). Correct.
 * - logs:PutResourcePolicy, logs:DescribeResourcePolicies: no resource type (the account's
 *   CloudWatch Logs resource policies). Correct.
 * - logs:DescribeLogGroups: no resource type (it lists every log group of the account and region;
 *   unlike DescribeLogStreams, which takes log-group). Correct.
 */
export const UNSCOPED_ACTIONS: Readonly<Record<string, string>> = {
  "xray:PutTraceSegments": "X-Ray write actions have no resource type",
  "xray:PutTelemetryRecords": "X-Ray write actions have no resource type",
  "ec2:DescribeSecurityGroupRules": "EC2 Describe* actions support no resource-level permissions",
  "ec2:DescribeSecurityGroups": "EC2 Describe* actions support no resource-level permissions",
  "organizations:ListAccounts": "Organizations List/Describe of the organization have no resource type",
  "organizations:DescribeOrganization": "Organizations List/Describe of the organization have no resource type",
  "cloudwatch:PutMetricData": "CloudWatch metric data has no resource type (scope with the cloudwatch:namespace condition)",
  "cloudtrail:DescribeTrails": "CloudTrail DescribeTrails/ListTrails have no resource type",
  "cloudtrail:ListTrails": "CloudTrail DescribeTrails/ListTrails have no resource type",
  // The remediator (and the member-account role) verifies each event in CloudTrail's event history before acting.
  "cloudtrail:LookupEvents": "CloudTrail LookupEvents (the event history) has no resource type",
  "sts:GetCallerIdentity": "GetCallerIdentity has no resource and needs no permission",
  // Step Functions' log delivery (modules/scoring): AWS documents these on "*"; they have no resource type.
  "logs:CreateLogDelivery": "CloudWatch Logs vended-log delivery actions have no resource type (Step Functions logging)",
  "logs:GetLogDelivery": "CloudWatch Logs vended-log delivery actions have no resource type (Step Functions logging)",
  "logs:UpdateLogDelivery": "CloudWatch Logs vended-log delivery actions have no resource type (Step Functions logging)",
  "logs:DeleteLogDelivery": "CloudWatch Logs vended-log delivery actions have no resource type (Step Functions logging)",
  "logs:ListLogDeliveries": "CloudWatch Logs vended-log delivery actions have no resource type (Step Functions logging)",
  "logs:PutResourcePolicy": "the account's CloudWatch Logs resource policy has no resource type (Step Functions logging)",
  "logs:DescribeResourcePolicies": "the account's CloudWatch Logs resource policy has no resource type (Step Functions logging)",
  "logs:DescribeLogGroups": "DescribeLogGroups lists log groups; it has no resource type (Step Functions logging)",
};

type Statement = { sid?: string; effect?: string; actions: string[]; notActions: string[]; resources: string[]; principals: { type: string; identifiers: string[] }[]; hasConditions: boolean };

/**
 * Checks what no aspect can fix and fails synth (an error annotation) when violated:
 * - an Allow with a wildcard action (`*`, `service:*`) or NotAction, except the key-policy statement
 *   that gives this account's root `kms:*` (AWS's default key policy, which hands control to IAM);
 * - an identity policy Allow on Resource "*" for an action that has a resource type (see UNSCOPED_ACTIONS);
 * - a resource policy that allows anyone (`*`) without a condition;
 * - AWS managed policies attached to roles (they are broad by design: write explicit statements);
 * - a Lambda runtime other than nodejs22.x.
 */
export class PolicyChecksAspect implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof DataAwsIamPolicyDocument) {
      const input = node.statementInput;
      if (Array.isArray(input)) this.check(node, input.map(fromDocument));
    } else if (node instanceof IamRolePolicy || node instanceof IamPolicy) {
      this.checkJson(node, node.policyInput);
    } else if (node instanceof IamRole) {
      const managed = node.managedPolicyArnsInput;
      if (Array.isArray(managed) && managed.length > 0) {
        Annotations.of(node).addError(`Role ${node.node.path} attaches managed policies (${managed.join(", ")}): grant explicit, resource-scoped statements instead.`);
      }
      const inline = node.inlinePolicyInput;
      if (Array.isArray(inline)) for (const p of inline) this.checkJson(node, p.policy);
    } else if (node instanceof IamRolePolicyAttachment || node instanceof IamPolicyAttachment) {
      const arn = node.policyArnInput;
      if (typeof arn === "string" && /^arn:[^:]+:iam::aws:policy\//.test(arn)) {
        Annotations.of(node).addError(`${node.node.path} attaches the AWS managed policy ${arn}: grant explicit, resource-scoped statements instead.`);
      }
    } else if (node instanceof LambdaFunction) {
      const runtime = node.runtimeInput;
      if (runtime !== LAMBDA_RUNTIME) {
        Annotations.of(node).addError(`Lambda ${node.node.path} uses runtime ${String(runtime)}: trailwatch deploys ${LAMBDA_RUNTIME} only (use NodeFunction).`);
      }
    }
  }

  private checkJson(node: IConstruct, policy: string | undefined): void {
    // A token is a reference (usually to a policy document, which is checked itself).
    if (typeof policy !== "string" || Token.isUnresolved(policy)) return;
    let doc: { Statement?: unknown };
    try {
      doc = JSON.parse(policy) as { Statement?: unknown };
    } catch {
      Annotations.of(node).addError(`${node.node.path} has a policy that is not valid JSON.`);
      return;
    }
    const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    this.check(node, raw.map((s) => fromJson(s as Record<string, unknown>)));
  }

  private check(node: IConstruct, statements: Statement[]): void {
    const account = Platform.of(node).account;
    for (const [i, s] of statements.entries()) {
      if ((s.effect ?? "Allow") !== "Allow") continue;
      const where = `${node.node.path} statement ${s.sid ?? i}`;
      const isRootKeyAdmin =
        s.principals.length === 1 &&
        s.principals[0]!.type === "AWS" &&
        s.principals[0]!.identifiers.length === 1 &&
        new RegExp(`^arn:[^:]+:iam::${account}:root$`).test(s.principals[0]!.identifiers[0]!) &&
        s.actions.every((a) => a === "kms:*");
      const wild = s.actions.filter((a) => !Token.isUnresolved(a) && (a === "*" || /^[a-z0-9-]+:\*$/i.test(a)));
      if (wild.length > 0 && !isRootKeyAdmin) {
        Annotations.of(node).addError(`${where} allows wildcard actions (${wild.join(", ")}): list the actions it needs.`);
      }
      if (s.notActions.length > 0) Annotations.of(node).addError(`${where} uses NotAction in an Allow: list the actions it needs.`);
      if (s.principals.length === 0 && s.resources.includes("*")) {
        const scoped = s.actions.filter((a) => !(a in UNSCOPED_ACTIONS));
        if (scoped.length > 0) {
          Annotations.of(node).addError(`${where} allows ${scoped.join(", ")} on Resource "*": name the resources (only actions without a resource type may use "*").`);
        }
      }
      const toAnyone = s.principals.some((p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*"));
      if (toAnyone && !s.hasConditions) Annotations.of(node).addError(`${where} allows anyone ("*") without a condition.`);
    }
  }
}

function fromDocument(s: DataAwsIamPolicyDocumentStatement): Statement {
  const principals = Array.isArray(s.principals) ? s.principals.map((p) => ({ type: p.type, identifiers: p.identifiers })) : [];
  return {
    sid: s.sid,
    effect: s.effect,
    actions: s.actions ?? [],
    notActions: s.notActions ?? [],
    resources: s.resources ?? [],
    principals,
    hasConditions: Array.isArray(s.condition) ? s.condition.length > 0 : s.condition !== undefined,
  };
}

function list(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

function fromJson(s: Record<string, unknown>): Statement {
  const p = s.Principal;
  const principals =
    p === undefined ? [] : p === "*" ? [{ type: "*", identifiers: ["*"] }] : Object.entries(p as Record<string, unknown>).map(([type, ids]) => ({ type, identifiers: list(ids) }));
  return {
    sid: typeof s.Sid === "string" ? s.Sid : undefined,
    effect: typeof s.Effect === "string" ? s.Effect : undefined,
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    principals,
    hasConditions: s.Condition !== undefined,
  };
}
