import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool, isAllow, paramString, policyStatements, stringList } from "../helpers";

/** The AWS-managed AdministratorAccess policy in any partition; exact, so "AdministratorAccess-Amplify" is not it. */
const ADMIN_ARN = /^arn:aws(-[a-z-]+)?:iam::aws:policy\/AdministratorAccess$/;
/** AWS-managed IAMFullAccess: iam:* on everything, so its holder can attach AdministratorAccess to itself. */
const IAM_FULL_ARN = /^arn:aws(-[a-z-]+)?:iam::aws:policy\/IAMFullAccess$/;

type TargetType = "user" | "group" | "role";

/** Why an inline or customer-managed policy document amounts to full admin, or undefined. */
export function adminGrantIn(doc: unknown): string | undefined {
  for (const st of policyStatements(doc)) {
    if (!isAllow(st)) continue;
    const onEverything = stringList(st.Resource).includes("*") || st.NotResource !== undefined;
    if (!onEverything) continue;
    const actions = stringList(st.Action);
    if (actions.some((a) => a === "*" || a === "*:*")) return `Allow Action "${actions.find((a) => a === "*" || a === "*:*")}" on every resource`;
    if (actions.some((a) => /^iam:\*$/i.test(a))) return "Allow iam:* on every resource: the holder can grant itself anything";
    if (st.NotAction !== undefined) {
      // "everything except ..." on "*" is admin unless IAM is among the exceptions: whoever may still
      // call IAM can grant themselves the rest (PowerUserAccess excludes iam:* and is not flagged).
      const excluded = stringList(st.NotAction);
      const iamExcluded = excluded.some((a) => a === "*" || /^iam:\*$/i.test(a));
      if (!iamExcluded) return `Allow NotAction [${excluded.join(", ")}] on every resource, which still includes iam:*`;
    }
  }
  return undefined;
}

interface Grant {
  kind: "managed-policy" | "inline-policy" | "policy-version" | "new-policy";
  targetType?: TargetType;
  targetName?: string;
  policyArn?: string;
  policyName?: string;
  why: string;
}

function targetOf(r: CloudTrailRecord): { targetType?: TargetType; targetName?: string } {
  for (const t of ["user", "group", "role"] as const) {
    const n = paramString(r, `${t}Name`);
    if (n) return { targetType: t, targetName: n };
  }
  return {};
}

/** What admin grant this call makes, or undefined. */
export function adminGrant(r: CloudTrailRecord): Grant | undefined {
  const name = r.eventName;
  if (/^Attach(User|Group|Role)Policy$/.test(name)) {
    const arn = paramString(r, "policyArn");
    if (arn && ADMIN_ARN.test(arn)) return { kind: "managed-policy", ...targetOf(r), policyArn: arn, why: "AWS-managed AdministratorAccess attached" };
    if (arn && IAM_FULL_ARN.test(arn)) return { kind: "managed-policy", ...targetOf(r), policyArn: arn, why: "AWS-managed IAMFullAccess attached: iam:* lets the holder grant itself administrator access" };
    return undefined;
  }
  if (/^Put(User|Group|Role)Policy$/.test(name)) {
    const why = adminGrantIn(r.requestParameters?.["policyDocument"]);
    return why ? { kind: "inline-policy", ...targetOf(r), policyName: paramString(r, "policyName"), why } : undefined;
  }
  if (name === "CreatePolicyVersion") {
    if (asBool(r.requestParameters?.["setAsDefault"]) !== true) return undefined;
    const why = adminGrantIn(r.requestParameters?.["policyDocument"]);
    return why ? { kind: "policy-version", policyArn: paramString(r, "policyArn"), why: `${why}, set as the default version` } : undefined;
  }
  if (name === "CreatePolicy") {
    const why = adminGrantIn(r.requestParameters?.["policyDocument"]);
    return why ? { kind: "new-policy", policyName: paramString(r, "policyName"), why } : undefined;
  }
  return undefined;
}

function grantText(g: Grant): string {
  switch (g.kind) {
    case "managed-policy":
      return `attached ${g.policyArn!.split("/").pop()} to ${g.targetType} ${g.targetName}`;
    case "inline-policy":
      return `put inline policy ${g.policyName ?? "(unnamed)"} granting full admin on ${g.targetType} ${g.targetName}`;
    case "policy-version":
      return `made a full-admin document the default version of ${g.policyArn}, so everyone it is attached to is now admin`;
    case "new-policy":
      return `created managed policy ${g.policyName ?? "(unnamed)"} granting full admin`;
  }
}

/**
 * Full administrator access granted: the AWS-managed AdministratorAccess policy attached (exact ARN;
 * IAMFullAccess too, which is admin in one step), an inline policy that allows `*` or `iam:*` on `*`
 * (or "everything but ..." that still allows IAM), or a policy
 * version with such a document made the default (the classic iam:CreatePolicyVersion escalation).
 * A customer-managed policy is judged by its document when it is created or versioned, because an
 * Attach call only names its ARN. The remediation (detach) applies to an attached AdministratorAccess
 * only: `context.remediable` says so, and `context` carries target type, name and policy ARN.
 */
export default defineRule({
  id: "iam.admin-policy-attached",
  title: "Administrator access granted",
  severity: "high",
  description:
    "A user, group or role was given full administrator access: AdministratorAccess attached, an inline policy allowing every action on every resource put on it, or an admin document made the default version of a managed policy. Check that the grant was intended and approved; an unexpected one is a privilege escalation or a persistence backdoor.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: [
    "AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy", "PutUserPolicy", "PutGroupPolicy", "PutRolePolicy",
    "CreatePolicyVersion", "CreatePolicy",
  ],
  match: (r) => adminGrant(r) !== undefined,
  // A new admin policy that nobody holds yet is a step, not the grant itself.
  severityFor: (r) => (adminGrant(r)?.kind === "new-policy" ? "medium" : "high"),
  summary: (r, { principal }) => `${actor(principal)} ${grantText(adminGrant(r)!)} in account ${accountOfRecord(r)}`,
  context: (r) => {
    const g = adminGrant(r)!;
    return {
      grant: g.kind,
      targetType: g.targetType,
      targetName: g.targetName,
      policyArn: g.policyArn,
      policyName: g.policyName,
      why: g.why,
      // The detach remediation is defined for AdministratorAccess itself.
      remediable: g.kind === "managed-policy" && ADMIN_ARN.test(g.policyArn ?? ""),
    };
  },
  dedupKey: (r) => {
    const g = adminGrant(r)!;
    return `${accountOfRecord(r)}|${g.kind}|${g.targetType ?? ""}|${g.targetName ?? ""}|${g.policyArn ?? g.policyName ?? ""}|${r.eventTime.slice(0, 13)}`;
  },
  remediation: "iam.detach-admin-policy",
  status: "stable",
  falsePositives: [
    "Break-glass roles and administrator roles managed by infrastructure code (deployments that attach AdministratorAccess to their own admin role).",
  ],
  runbook: {
    triage: [
      "To whom was admin access given, by whom, and was it approved? Check `context.remediable` and the policy document.",
      "What did the identity that received admin do afterwards?",
    ],
    contain: [
      "If unexpected: detach the policy (or enable the `iam.detach-admin-policy` remediation), revoke the identity's sessions and review its actions.",
    ],
  },
  references: {
    mitre: ["T1098.003", "T1078.004"],
    stratus: ["aws.persistence.iam-create-admin-user", "aws.persistence.iam-create-backdoor-role"],
    panther: ["AWS.IAM.AttachAdminUserPolicy", "AWS.IAM.AttachAdminRolePolicy"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html"],
  },
});
