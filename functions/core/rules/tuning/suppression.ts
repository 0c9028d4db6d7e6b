import { resolvePrincipal, type Principal } from "../../record/principal";
import type { UserIdentity } from "../../record/schema";
import { cidr } from "../cidr";
import { wildcard } from "../wildcard";

/**
 * What a suppression looks at in a record: who (the principal's stable id, e.g. the role of a role
 * session, and the ARN CloudTrail wrote, e.g. the session's), where (the account the event belongs
 * to and its region), from where (source address) and with what (user agent).
 */
export interface Subject {
  principals: readonly string[];
  account: string | undefined;
  sourceIPAddress: string | undefined;
  userAgent: string | undefined;
  region: string | undefined;
}

/** One suppression of a rule, compiled. Its conditions all hold (AND); each lists alternatives (OR). */
export interface Suppression {
  rule: string;
  /** Position in the rule's `suppressions` list. */
  index: number;
  /** Where it is written, e.g. `rules["iam.admin-policy-attached"].suppressions[2]`. */
  path: string;
  reason: string;
  /** As written (`2026-12-31` or a time). */
  expires?: string;
  /** Epoch ms from which it no longer applies. */
  expiresAt?: number;
  /** What it matches, as validated data (a deployed function embeds it and compiles it again). */
  conditions: SuppressionConditions;
  readonly matches: (s: Subject) => boolean;
}

/** The validated conditions of a suppression (absent: not a condition); each lists alternatives. */
export interface SuppressionConditions {
  /** ARN patterns (`*`, `?`, case-insensitive). */
  principal?: string[];
  account?: string[];
  /** The accounts of the OUs named, from the `organizationalUnits` map. */
  ouAccounts?: string[];
  cidr?: string[];
  /** User agent patterns (`*`, `?`, case-insensitive). */
  userAgent?: string[];
  region?: string[];
}

/** The matcher of a suppression's (validated) conditions: every condition given must hold. */
export function suppressionMatcher(c: SuppressionConditions): (s: Subject) => boolean {
  const principal = c.principal?.map((p) => wildcard(p));
  const userAgent = c.userAgent?.map((p) => wildcard(p));
  const nets = c.cidr?.map((n) => cidr(n));
  const set = (v: string[] | undefined) => v && new Set(v);
  const [account, ouAccounts, region] = [set(c.account), set(c.ouAccounts), set(c.region)];
  const has = (values: ReadonlySet<string> | undefined, v: string | undefined) => !values || (v !== undefined && values.has(v));
  return (s) =>
    (!principal || s.principals.some((p) => principal.some((w) => w.test(p)))) &&
    has(account, s.account) &&
    has(ouAccounts, s.account) &&
    (!nets || (s.sourceIPAddress !== undefined && nets.some((n) => n.test(s.sourceIPAddress!)))) &&
    (!userAgent || (s.userAgent !== undefined && userAgent.some((w) => w.test(s.userAgent!)))) &&
    has(region, s.region);
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The longest field value a suppression compares (longer values never match: no ARN, address, region or user agent CloudTrail writes is this long). */
const MAX_FIELD = 4096;
const bounded = (v: string | undefined) => (v !== undefined && v.length <= MAX_FIELD ? v : undefined);

/**
 * The subject of a record, validated or raw (threshold rules that read raw records are suppressed
 * too): only string fields are read, so a record of any shape gives a subject and never throws.
 * `principal` is the engine's resolution when it has one.
 */
export function subjectOf(record: object, principal?: Principal): Subject {
  const r = record as Record<string, unknown>;
  const ui = obj(r.userIdentity);
  const p = principal ?? (ui ? resolvePrincipal(stringIdentity(ui)) : undefined);
  const arn = bounded(str(ui?.arn));
  const principals = [p?.id, arn].filter((x): x is string => x !== undefined && x.length <= MAX_FIELD);
  return {
    principals: principals.length === 2 && principals[0] === principals[1] ? [principals[0]!] : principals,
    account: bounded(str(r.recipientAccountId) ?? str(ui?.accountId)),
    sourceIPAddress: bounded(str(r.sourceIPAddress)),
    userAgent: bounded(str(r.userAgent)),
    region: bounded(str(r.awsRegion)),
  };
}

/** The string fields of a raw `userIdentity` that principal resolution reads (anything else left out). */
function stringIdentity(ui: Record<string, unknown>): UserIdentity {
  const issuer = obj(obj(ui.sessionContext)?.sessionIssuer);
  const onBehalfOf = obj(ui.onBehalfOf);
  const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.flatMap((k) => (typeof o[k] === "string" ? [[k, o[k]]] : [])));
  return {
    ...pick(ui, ["type", "arn", "principalId", "accountId", "userName", "invokedBy", "identityProvider"]),
    ...(issuer ? { sessionContext: { sessionIssuer: pick(issuer, ["arn", "userName", "type", "principalId", "accountId"]) } } : {}),
    ...(onBehalfOf ? { onBehalfOf: pick(onBehalfOf, ["userId", "identityStoreArn"]) } : {}),
  };
}

/** Matches a suppression kept from being alerted, per suppression. */
export interface SuppressedCount {
  rule: string;
  /** Where the suppression is written, e.g. `rules["iam.admin-policy-attached"].suppressions[0]`. */
  suppression: string;
  reason: string;
  expires?: string;
  count: number;
}

/** A suppression past its expiry: it no longer applies, and `matches` were alerted that it would have kept back. */
export interface ExpiredSuppression {
  rule: string;
  suppression: string;
  reason: string;
  expires: string;
  matches: number;
}

/** Matches kept back, and matches of expired suppressions, per suppression path: what `SuppressionRun.takeCounts` hands over. */
export interface SuppressionCounts {
  kept: [string, number][];
  expired: [string, number][];
}

/**
 * The suppressions of a tuning for one engine (one scan, one log object): they decide and count.
 * A matching suppression past its expiry (by the clock, never by the event's time, which a record
 * chooses) does not apply; the match it would have kept back is counted for it.
 */
export class SuppressionRun {
  private readonly kept = new Map<Suppression, number>();
  private readonly expiredHits = new Map<Suppression, number>();

  constructor(
    private readonly byRule: ReadonlyMap<string, readonly Suppression[]>,
    private readonly now: () => number,
  ) {}

  /** True when the rule has suppressions. */
  covers(ruleId: string): boolean {
    return this.byRule.has(ruleId);
  }

  /** True when a suppression of the rule applies to the record (and counts it). */
  suppressed(ruleId: string, record: object, principal?: Principal): boolean {
    const list = this.byRule.get(ruleId);
    if (!list) return false;
    const subject = subjectOf(record, principal);
    let expired: Suppression | undefined;
    for (const s of list) {
      if (!s.matches(subject)) continue;
      if (s.expiresAt !== undefined && this.now() >= s.expiresAt) {
        expired ??= s;
        continue;
      }
      this.kept.set(s, (this.kept.get(s) ?? 0) + 1);
      return true;
    }
    if (expired) this.expiredHits.set(expired, (this.expiredHits.get(expired) ?? 0) + 1);
    return false;
  }

  /**
   * The counts since the last call, by suppression path, and resets them: a run in another thread
   * (a scan worker) hands them to the run that reports (`addCounts`).
   */
  takeCounts(): SuppressionCounts {
    const paths = (m: Map<Suppression, number>) => [...m].map(([s, n]): [string, number] => [s.path, n]);
    const out = { kept: paths(this.kept), expired: paths(this.expiredHits) };
    this.kept.clear();
    this.expiredHits.clear();
    return out;
  }

  /** Adds counts another run of the same tuning took (`takeCounts`); a path this tuning does not have is a mistake. */
  addCounts(counts: SuppressionCounts): void {
    const byPath = new Map<string, Suppression>();
    for (const list of this.byRule.values()) for (const s of list) byPath.set(s.path, s);
    const add = (m: Map<Suppression, number>, [path, n]: [string, number]) => {
      const s = byPath.get(path);
      if (!s) throw new Error(`suppression counts for ${path}, which this tuning does not have`);
      m.set(s, (m.get(s) ?? 0) + n);
    };
    for (const c of counts.kept) add(this.kept, c);
    for (const c of counts.expired) add(this.expiredHits, c);
  }

  /** What was kept back, per suppression, and every expired suppression of the rules given. */
  report(ruleIds: readonly string[]): { suppressed: SuppressedCount[]; expired: ExpiredSuppression[] } {
    const suppressed = [...this.kept].map(([s, count]) => ({ rule: s.rule, suppression: s.path, reason: s.reason, ...(s.expires ? { expires: s.expires } : {}), count }));
    const now = this.now();
    const expired = ruleIds
      .flatMap((id) => this.byRule.get(id) ?? [])
      .filter((s) => s.expiresAt !== undefined && now >= s.expiresAt)
      .map((s) => ({ rule: s.rule, suppression: s.path, reason: s.reason, expires: s.expires!, matches: this.expiredHits.get(s) ?? 0 }));
    return { suppressed, expired };
  }
}
