import { accountOfPrincipal } from "../record/principal";
/**
 * Who may assume a role, from its trust policy (`AssumeRolePolicyDocument`). Every statement is
 * read (not just the first), and string, array and `"*"` principals are all understood.
 */
export type TrustKind = "service" | "federated" | "cross-account" | "same-account" | "public";

export interface RoleTrust {
  /** The kinds of principal the role trusts, most alarming first. */
  kinds: TrustKind[];
  /** Services (`ec2.amazonaws.com`), identity providers and accounts named in the trust policy. */
  services: string[];
  providers: string[];
  accounts: string[];
}

type PrincipalValue = string | string[] | undefined;

function list(v: PrincipalValue): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

const ORDER: TrustKind[] = ["public", "cross-account", "service", "federated", "same-account"];

/** Parses a trust policy (JSON text, URL-encoded JSON as IAM returns it, or an object). */
export function parseRoleTrust(policy: unknown, roleAccount: string): RoleTrust {
  let doc = policy;
  if (typeof doc === "string") {
    const text = doc.trim().startsWith("%7B") || doc.includes("%22") ? decodeURIComponent(doc) : doc;
    doc = JSON.parse(text) as unknown;
  }
  const statements = (doc as { Statement?: unknown } | null)?.Statement;
  const stmts = (Array.isArray(statements) ? statements : statements ? [statements] : []) as Record<string, unknown>[];
  const kinds = new Set<TrustKind>();
  const services = new Set<string>();
  const providers = new Set<string>();
  const accounts = new Set<string>();
  for (const s of stmts) {
    if (s.Effect !== "Allow") continue;
    const p = s.Principal as string | Record<string, PrincipalValue> | undefined;
    if (p === undefined) continue;
    if (p === "*") {
      kinds.add("public");
      continue;
    }
    if (typeof p !== "object") continue;
    for (const svc of list(p.Service)) {
      kinds.add("service");
      services.add(svc);
    }
    for (const fed of list(p.Federated)) {
      kinds.add("federated");
      providers.add(fed);
    }
    for (const aws of list(p.AWS)) {
      if (aws === "*") {
        kinds.add("public");
        continue;
      }
      const acct = accountOfPrincipal(aws);
      if (acct) accounts.add(acct);
      kinds.add(acct && acct !== roleAccount ? "cross-account" : "same-account");
    }
  }
  return { kinds: ORDER.filter((k) => kinds.has(k)), services: [...services].sort(), providers: [...providers].sort(), accounts: [...accounts].sort() };
}

/** Looks up a role's trust in its account (optional: only when a read-only role is configured). */
export interface RoleTrustLookup {
  trustOf(account: string, roleArn: string): Promise<RoleTrust | undefined>;
}
