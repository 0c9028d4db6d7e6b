import type { RemediationId } from "../rules/rule";

/** How a remediation may run: not at all, described only, or carried out; absent from config means off. */
export const REMEDIATION_MODES = ["off", "dry-run", "apply"] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

/** The remediation due for a rule and its configured mode; undefined when the rule has none or it is not configured (off). */
export function dueRemediation(
  modes: Readonly<Record<string, RemediationMode>>,
  rule: { id: string; remediation?: RemediationId },
): { id: RemediationId; mode: Exclude<RemediationMode, "off"> } | undefined {
  const mode = modes[rule.id] ?? "off";
  return rule.remediation && mode !== "off" ? { id: rule.remediation, mode } : undefined;
}

/** Every action a remediation may call, scoped or not. */
export function allRemediationActions(p: RemediationPermission): string[] {
  return [...p.actions, ...(p.unscoped?.actions ?? [])];
}

/**
 * The IAM actions each remediation needs when it runs in `apply` mode, and the resource ARN patterns
 * they are scoped to (`${account}`/`${partition}` are filled by the deployment). The infra grants a
 * remediation's actions only when config enables it in `apply` mode: dry-run needs no write access.
 * One source of truth for the handlers (what they call) and the IAM policy (what they may call).
 */
export interface RemediationPermission {
  /** Actions scoped to `resources`. */
  actions: string[];
  resources: string[];
  /** Read-only actions AWS does not allow to scope to a resource, granted on "*" (with the reason). */
  unscoped?: { actions: string[]; why: string };
  why: string;
}

export const REMEDIATION_PERMISSIONS: Record<RemediationId, RemediationPermission> = {
  "cloudtrail.start-logging": {
    actions: ["cloudtrail:StartLogging", "cloudtrail:GetTrailStatus"],
    resources: ["arn:${partition}:cloudtrail:*:${account}:trail/*"],
    why: "turn a stopped trail back on",
  },
  "iam.detach-admin-policy": {
    // ListAttached*Policies: the re-check that the policy is still attached before detaching it.
    actions: ["iam:DetachUserPolicy", "iam:DetachGroupPolicy", "iam:DetachRolePolicy", "iam:ListAttachedUserPolicies", "iam:ListAttachedGroupPolicies", "iam:ListAttachedRolePolicies"],
    resources: ["arn:${partition}:iam::${account}:user/*", "arn:${partition}:iam::${account}:group/*", "arn:${partition}:iam::${account}:role/*"],
    why: "detach arn:aws:iam::aws:policy/AdministratorAccess from the principal it was attached to",
  },
  "s3.restore-public-access-block": {
    actions: ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    resources: ["arn:${partition}:s3:::*"],
    why: "turn all four S3 Block Public Access settings back on for the bucket",
  },
  "ec2.revoke-world-open-ingress": {
    actions: ["ec2:RevokeSecurityGroupIngress"],
    resources: ["arn:${partition}:ec2:*:${account}:security-group/*", "arn:${partition}:ec2:*:${account}:security-group-rule/*"],
    // The re-check: which rules are still open (and the group id of a group named by name).
    unscoped: { actions: ["ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"], why: "EC2 Describe* actions support no resource-level permissions" },
    why: "remove the ingress rule that opened a security group to 0.0.0.0/0 or ::/0",
  },
};

/**
 * What every remediation reads before it acts, in dry-run too: the event's own copy in CloudTrail's
 * event history (`LookupEvents` by event id), in the event's account and region. Granted whenever
 * the remediator is deployed, and to the member-account role. LookupEvents has no resource type.
 */
export const VERIFICATION_PERMISSION = {
  actions: ["cloudtrail:LookupEvents"],
  why: "CloudTrail LookupEvents has no resource type (the remediator verifies each event in the event history before acting)",
} as const;
