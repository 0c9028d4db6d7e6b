import type { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { TerraformProvider } from "cdktf";

/** One IAM condition, e.g. `{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111122223333"] }`. */
export interface PolicyCondition {
  test: string;
  variable: string;
  values: string[];
}

/**
 * One Allow statement of an identity policy: explicit actions on explicit resources.
 * Wildcard actions (`*`, `service:*`) are rejected at synth by the policy-check aspect.
 */
export interface PolicyStatementSpec {
  sid?: string;
  actions: string[];
  resources: string[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

/** A statement of a resource policy (bucket, topic, queue, key): it names who it applies to. */
export interface ResourcePolicyStatementSpec extends PolicyStatementSpec {
  effect?: "Allow" | "Deny";
  /** e.g. `{ type: "Service", identifiers: ["sns.amazonaws.com"] }` or `{ type: "AWS", identifiers: [roleArn] }`. */
  principals: { type: "AWS" | "Service" | "*" | "Federated"; identifiers: string[] }[];
}

/**
 * Builds an `aws_iam_policy_document` data source from statements. The data source is evaluated by
 * Terraform locally (no API call), validates the JSON shape, and keeps the statements readable in
 * the synthesized config and in the plan.
 */
export function policyDocument(
  scope: Construct,
  id: string,
  statements: (PolicyStatementSpec | ResourcePolicyStatementSpec)[],
  opts: { provider?: TerraformProvider; sourcePolicyDocuments?: string[] } = {},
): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    provider: opts.provider,
    sourcePolicyDocuments: opts.sourcePolicyDocuments,
    statement: statements.map((s) => ({
      sid: s.sid,
      effect: "effect" in s && s.effect ? s.effect : "Allow",
      actions: s.actions,
      // Trust policies name no resource: an empty list means "no Resource element".
      resources: s.resources.length > 0 ? s.resources : undefined,
      principals: "principals" in s ? s.principals : undefined,
      condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: c.values })),
    })),
  });
}
