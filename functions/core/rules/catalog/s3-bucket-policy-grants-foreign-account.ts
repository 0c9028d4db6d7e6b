import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import {
  accountOfPrincipal, accountOfRecord, actor, isAllow, isPublicAllow, narrowingConditionKeys, paramString, policyStatements, statementPrincipals,
} from "../helpers";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) that may be granted access to your buckets, e.g. your log-archive or partner accounts. */
  trustedAccounts: z.array(z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id")),
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
    "A bucket policy now lets an AWS account that is neither this one nor trusted access the bucket. The outside account uses its own credentials, so the access survives any key rotation here: a backdoor for reading or planting data.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["PutBucketPolicy"],
  match: (r, { settings }) => foreignGrants(r, settings),
  summary: (r, { principal }, m) =>
    `${actor(principal)} changed the policy of S3 bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)} to let account${m.accounts.length > 1 ? "s" : ""} ${m.accounts.join(", ")} ${m.actions.length ? `call ${m.actions.slice(0, 5).join(", ")}` : "access it"}`,
  context: (r, _c, m) => ({ bucket: paramString(r, "bucketName"), accounts: m.accounts, actions: m.actions }),
  falsePositives: [
    "Log delivery or backup to a central account of your organization (add it to trustedAccounts, or use aws:PrincipalOrgID).",
    "Data sharing with a partner account that has a contract behind it.",
  ],
  runbook: {
    triage: [
      "Whose account is it? Check your organization's account list and partner records.",
      "Which actions does the statement allow (GetObject = read, PutObject = plant, *), and on which prefixes?",
      "Did the outside account already use it (data events with that account as principal)?",
    ],
    contain: [
      "Restore the previous bucket policy (from infrastructure code) or remove the statement.",
      "Add an SCP or a resource control policy that limits S3 access to principals of your organization.",
    ],
  },
  references: {
    mitre: ["T1098", "T1537"],
    stratus: ["aws.exfiltration.s3-backdoor-bucket-policy"],
  },
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
