import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import {
  accountIdListSchema, accountOfPrincipal, accountOfRecord, actor, isAllow, isPublicAllow, narrowingConditionKeys, paramString, policyStatements, statementPrincipals,
} from "../helpers";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) that may be granted access to your buckets, e.g. your log-archive or partner accounts. */
  trustedAccounts: accountIdListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

interface Grant {
  accounts: string[];
  actions: string[];
}

/** Outside accounts an Allow statement of the new bucket policy names (public statements are s3.bucket-made-public's). */
export function foreignGrants(r: CloudTrailRecord, s: Settings): Grant | undefined {
  const own = accountOfRecord(r);
  const accounts = new Set<string>();
  const actions = new Set<string>();
  for (const st of policyStatements(r.requestParameters?.["bucketPolicy"] ?? r.requestParameters?.["policy"])) {
    if (!isAllow(st) || isPublicAllow(st)) continue;
    // Conditions on the organization or a source narrow the grant to something you already control.
    if (narrowingConditionKeys(st).some((k) => k === "aws:principalorgid" || k === "aws:principalorgpaths" || k === "aws:sourceaccount" || k === "aws:sourcearn")) continue;
    const found = statementPrincipals(st)
      .filter((p) => p.kind === "AWS")
      .map((p) => accountOfPrincipal(p.value))
      .filter((a): a is string => !!a && a !== own && !s.trustedAccounts.includes(a));
    if (found.length === 0) continue;
    for (const a of found) accounts.add(a);
    for (const a of [st.Action].flat()) if (typeof a === "string") actions.add(a);
  }
  return accounts.size ? { accounts: [...accounts], actions: [...actions] } : undefined;
}

/**
 * A bucket policy that grants another AWS account access (Stratus "s3-backdoor-bucket-policy"): the
 * account can then read or write the bucket with its own credentials, and nothing in this account logs
 * who is behind them. Grants narrowed to your organization and grants to trusted accounts are quiet;
 * grants to everyone are `s3.bucket-made-public`'s.
 */
export default defineRule<Settings, Grant>({
  id: "s3.bucket-policy-grants-foreign-account",
  title: "S3 bucket policy grants another account access",
  severity: "medium",
  description:
    "A bucket policy now lets an outside, untrusted account access the bucket with its own credentials: a backdoor no key rotation here closes.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["PutBucketPolicy"],
  match: (r, { settings }) => foreignGrants(r, settings),
  summary: (r, { principal }, m) =>
    `${actor(principal)} changed the policy of S3 bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)} to let account${m.accounts.length > 1 ? "s" : ""} ${m.accounts.join(", ")} ${m.actions.length ? `call ${m.actions.slice(0, 5).join(", ")}` : "access it"}`,
  context: (r, _c, m) => ({ bucket: paramString(r, "bucketName"), accounts: m.accounts, actions: m.actions }),
  status: "experimental",
  falsePositives: [
    "Log or backup delivery to your own accounts (trustedAccounts, aws:PrincipalOrgID); partner sharing.",
  ],
  runbook: {
    triage: [
      "Whose account is it, and which actions on which prefixes does it get?",
      "Did it use the grant already (data events by that account)?",
    ],
    contain: [
      "Restore the previous policy; limit S3 access to your organization with an SCP or resource control policy.",
    ],
  },
  references: {
    mitre: ["T1098", "T1537"],
    stratus: ["aws.exfiltration.s3-backdoor-bucket-policy"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
