import { Rng, stableDigits } from "./random";

/** What an account is for; it decides which principals live and act there. */
export type AccountKind = "management" | "security" | "production" | "development" | "sandbox";

/** One AWS account of the synthetic organization. */
export interface AccountSpec {
  /** 12 digits. */
  id: string;
  /** Short name, e.g. "prod". */
  name: string;
  kind: AccountKind;
}

/** The organization as the generator sees it. */
export interface Organization {
  /** `o-` and 10 lower-case letters or digits. */
  id: string;
  accounts: AccountSpec[];
  /** Every region with activity; the first three by default are us-east-1, eu-west-1, eu-central-1. */
  regions: string[];
  /** Where global services (IAM, STS global endpoint, Organizations, sign-in) log: us-east-1 when present. */
  globalRegion: string;
  /** Where workloads and IAM Identity Center live: eu-west-1 when present. */
  homeRegion: string;
  /** The log archive bucket the files would be in (used in digests). */
  bucket: string;
  /** Name of the trail that delivers the logs. */
  trailName: string;
}

export const DEFAULT_REGIONS = ["us-east-1", "eu-west-1", "eu-central-1"] as const;

const DEFAULT_ACCOUNTS: { name: string; kind: AccountKind }[] = [
  { name: "management", kind: "management" },
  { name: "log-archive", kind: "security" },
  { name: "prod", kind: "production" },
  { name: "dev", kind: "development" },
  { name: "sandbox", kind: "sandbox" },
];

/** The default accounts of an organization, with 12-digit ids derived from the seed. */
export function defaultAccounts(seed: string): AccountSpec[] {
  return DEFAULT_ACCOUNTS.map((a) => ({ ...a, id: stableDigits(12, seed, "account", a.name) }));
}

/** Builds the organization for a seed (accounts may be given explicitly, e.g. one busy account for benchmarks). */
export function makeOrganization(seed: string, accounts?: AccountSpec[], regions?: string[]): Organization {
  const accts = accounts ?? defaultAccounts(seed);
  if (accts.length === 0) throw new Error("accounts: at least one account is needed");
  const seen = new Set<string>();
  for (const a of accts) {
    if (!/^\d{12}$/.test(a.id)) throw new Error(`accounts: "${a.name}" has id "${a.id}", expected 12 digits`);
    if (seen.has(a.id)) throw new Error(`accounts: id ${a.id} appears twice`);
    seen.add(a.id);
  }
  const regs = regions ?? [...DEFAULT_REGIONS];
  if (regs.length === 0) throw new Error("regions: at least one region is needed");
  const mgmt = accts.find((a) => a.kind === "management") ?? accts[0]!;
  const logArchive = accts.find((a) => a.kind === "security") ?? mgmt;
  return {
    id: `o-${new Rng(seed, "org").lower(10)}`,
    accounts: accts,
    regions: regs,
    globalRegion: regs.includes("us-east-1") ? "us-east-1" : regs[0]!,
    homeRegion: regs.includes("eu-west-1") ? "eu-west-1" : regs[0]!,
    bucket: `aws-controltower-logs-${logArchive.id}-${regs.includes("eu-west-1") ? "eu-west-1" : regs[0]}`,
    trailName: "org-trail",
  };
}

/** The account of a kind, else the first workload-like account, else the first account. */
export function accountOfKind(org: Organization, ...kinds: AccountKind[]): AccountSpec {
  for (const k of kinds) {
    const a = org.accounts.find((x) => x.kind === k);
    if (a) return a;
  }
  return org.accounts.find((x) => x.kind === "production" || x.kind === "development") ?? org.accounts[0]!;
}
