import * as z from "../../zod";
import type { Severity } from "../../alert/alert";
import { severityRank } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountIdListSchema, accountOfPrincipal, accountOfRecord, actor, dig, isAllow, isPublicAllow, paramString, policyStatements, statementPrincipals, stringList } from "../helpers";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) outside this one that roles may trust without an alert, e.g. your organization's security account. */
  trustedAccounts: accountIdListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

interface TrustIssue {
  severity: Severity;
  what: string;
}

const GITHUB_OIDC = /token\.actions\.githubusercontent\.com$/;

function allowsAssume(st: Record<string, unknown>): boolean {
  if (st.Action === undefined) return st.NotAction !== undefined;
  return stringList(st.Action).some((a) => a === "*" || /^sts:(\*|AssumeRole)/i.test(a));
}

function hasConditionKey(st: Record<string, unknown>, key: string): boolean {
  const cond = st.Condition;
  if (!cond || typeof cond !== "object") return false;
  return Object.values(cond as Record<string, unknown>).some(
    (body) => !!body && typeof body === "object" && Object.keys(body).some((k) => k.toLowerCase() === key),
  );
}

/** What this trust policy opens up, worst first. */
export function trustIssues(r: CloudTrailRecord, s: Settings): TrustIssue[] {
  const doc = r.eventName === "CreateRole" ? r.requestParameters?.["assumeRolePolicyDocument"] : r.requestParameters?.["policyDocument"];
  const own = accountOfRecord(r);
  const foreignSeverity: Severity = r.eventName === "CreateRole" ? "medium" : "high";
  const out: TrustIssue[] = [];
  for (const st of policyStatements(doc)) {
    if (!isAllow(st) || !allowsAssume(st)) continue;
    if (isPublicAllow(st)) {
      out.push({ severity: "critical", what: "anyone (Principal \"*\") may assume the role; no condition limits it to an organization, account or ARN" });
      continue;
    }
    for (const p of statementPrincipals(st)) {
      if (p.kind === "AWS" && p.value !== "*") {
        const acct = accountOfPrincipal(p.value);
        if (acct && acct !== own && !s.trustedAccounts.includes(acct)) out.push({ severity: foreignSeverity, what: `account ${acct} (${p.value}) may assume the role` });
      }
      if (p.kind === "Federated" && GITHUB_OIDC.test(p.value) && !hasConditionKey(st, "token.actions.githubusercontent.com:sub")) {
        out.push({ severity: "critical", what: "any GitHub Actions workflow of any repository may assume the role: no condition on token.actions.githubusercontent.com:sub" });
      }
    }
  }
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

/**
 * A role's trust policy (UpdateAssumeRolePolicy, or CreateRole's assumeRolePolicyDocument) lets in
 * someone from outside: anyone at all, an account that is not this one and not listed as trusted, or
 * every GitHub repository via an OIDC trust without a `sub` condition. `sts:ExternalId` does not count
 * as a limit (it is not a secret). Backdooring an existing role is worse than creating a new
 * cross-account role, which is often a vendor integration.
 */
export default defineRule<Settings>({
  id: "iam.role-trust-opened",
  title: "IAM role trust policy opened to outsiders",
  severity: "high",
  description:
    "A role can now be assumed from outside the account: by anyone, by an untrusted account, or by any GitHub repository. Whoever is trusted gets the role's permissions without any credential from this account. Confirm the trusted party, and list accounts you trust in the rule's trustedAccounts setting.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["UpdateAssumeRolePolicy", "CreateRole"],
  match: (r, { settings }) => trustIssues(r, settings).length > 0,
  severityFor: (r, { settings }) => trustIssues(r, settings)[0]!.severity,
  summary: (r, { principal, settings }) =>
    `${actor(principal)} ${r.eventName === "CreateRole" ? "created role" : "changed the trust policy of role"} ${paramString(r, "roleName") ?? "(unknown)"} in account ${accountOfRecord(r)}: ${trustIssues(r, settings)[0]!.what}`,
  context: (r, { settings }) => ({
    role: paramString(r, "roleName"),
    roleArn: dig(r.responseElements, "role", "arn"),
    issues: trustIssues(r, settings).map((i) => `${i.severity}: ${i.what}`),
  }),
  dedupKey: (r) => `${accountOfRecord(r)}|${paramString(r, "roleName")}|${r.eventID ?? r.eventTime}`,
  status: "stable",
  falsePositives: [
    "Cross-account roles for vendors and the organization's own accounts (list our accounts in `trustedAccounts`).",
    "New roles created with a deliberate third-party trust (medium).",
  ],
  runbook: {
    triage: [
      "Who is trusted now (context) and is that party known? For GitHub OIDC, which repositories may assume the role?",
      "Was the role assumed from outside since the change (AssumeRole events naming it)?",
    ],
    contain: [
      "If unexpected: restore the trust policy (`aws iam update-assume-role-policy`) and revoke the role's sessions.",
    ],
  },
  references: {
    mitre: ["T1098", "T1098.003"],
    stratus: ["aws.persistence.iam-backdoor-role", "aws.persistence.iam-create-backdoor-role"],
    panther: ["AWS.IAM.BackdoorRole"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
