import { isSeverity, SEVERITIES, type Severity } from "../../alert/alert";
import * as z from "../../zod";
import { ACCOUNT_ID, OU_ID, REGION } from "../../aws/identifiers";
import { arnPatternProblem } from "../../remediation/protected-targets";
import { cidrProblem } from "../cidr";
import type { CatalogRule } from "../threshold-rule";
import { formatPath, type ConfigIssue } from "./path";
import { suppressionMatcher, SuppressionRun, type Suppression, type SuppressionConditions } from "./suppression";

/**
 * The `rules` section of the deployment config, which is also the shape of the CLI's `--settings`
 * file: per rule id, whether it runs, its severity, its settings and its suppressions; besides the
 * rule ids, the custom rules `folder`, `shared` settings several rules take, and the accounts of the
 * organizational units suppressions name.
 */
export interface RulesSection {
  /** A folder of your own rules (TypeScript and Sigma), relative to the file that names it. */
  folder?: string;
  /** Settings several rules take (e.g. `trustedAccounts`), handed to every rule whose settings have that key. */
  shared?: Record<string, unknown>;
  /** The accounts of each OU suppressions name (`ou-...`): trailwatch does not ask AWS Organizations. */
  organizationalUnits?: Record<string, string[]>;
  [ruleId: string]: RuleTuning | string | Record<string, unknown> | Record<string, string[]> | undefined;
}

/** How one rule is tuned. */
export interface RuleTuning {
  /** `false` switches the rule off (default `true`). */
  enabled?: boolean;
  /** Every alert of the rule gets this severity (instead of the rule's own, per-record severity). */
  severity?: Severity;
  /** The rule's own settings (checked by the rule's schema). */
  settings?: Record<string, unknown>;
  suppressions?: SuppressionSpec[];
}

/** Matches of the rule that are not alerted but counted. Every condition given must hold; a list means any of its values. */
export interface SuppressionSpec {
  /** ARN patterns (`*`, `?`; case-insensitive) of the principal: the role or user ARN, or the ARN CloudTrail wrote (a role session's). */
  principal?: string | string[];
  /** Account ids the event belongs to (`recipientAccountId`). */
  account?: string | string[];
  /** OU ids whose accounts (listed in `organizationalUnits`) the event belongs to. */
  ou?: string | string[];
  /** Networks (`203.0.113.0/24`, `2001:db8::/32`) or addresses of `sourceIPAddress`. */
  cidr?: string | string[];
  /** User agent patterns (`*`, `?`; case-insensitive; the whole user agent). */
  userAgent?: string | string[];
  /** Regions (`awsRegion`). */
  region?: string | string[];
  /** `2026-12-31` (applies until the end of that day, UTC) or a time with its zone (`2026-12-31T18:00:00Z`). */
  expires?: string;
  /** Why this activity is known to be fine: shown wherever suppressed matches are counted. */
  reason: string;
}

/** Keys of the section that are not rule ids (rule ids always hold a dot: `service.what-happened`). */
export const SECTION_KEYS = ["folder", "shared", "organizationalUnits"] as const;
const RULE_KEYS = ["enabled", "severity", "settings", "suppressions"] as const;
const CONDITIONS = ["principal", "account", "ou", "cidr", "userAgent", "region"] as const;
const SUPPRESSION_KEYS = [...CONDITIONS, "expires", "reason"] as const;

/** Bounds of a section: a config is written by people, but also read by the functions at every cold start. */
export const TUNING_LIMITS = { suppressionsPerRule: 200, valuesPerCondition: 100, patternChars: 512, reasonChars: 1000, ous: 500, accountsPerOu: 5000 } as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The tuning of a rule list, validated and compiled: what the engine applies. */
export interface CompiledTuning {
  /** The rules it was compiled for (the engine checks it is given the same ones). */
  readonly ruleIds: ReadonlySet<string>;
  readonly disabled: ReadonlySet<string>;
  readonly severity: ReadonlyMap<string, Severity>;
  /**
   * Settings for the engine: resolved (defaults, then shared settings the rule takes, then its own)
   * when compiled from a section; as given when built from embedded data (the engine merges the
   * defaults in and checks them with the rule's schema either way).
   */
  readonly settings: ReadonlyMap<string, unknown>;
  /** The settings given for a rule (the shared ones it takes, then its own), before defaults: what a deployed function embeds. */
  readonly givenSettings: ReadonlyMap<string, Record<string, unknown>>;
  readonly suppressions: ReadonlyMap<string, readonly Suppression[]>;
  /** The folder of custom rules the section names, as written. */
  readonly folder?: string;
  /** The suppressions for one engine run (undefined when there are none), with the clock of their expiry. */
  suppressionRun(now: () => number): SuppressionRun | undefined;
}

export interface CompileOptions {
  /** Where the section is, for messages (default `["rules"]`). */
  path?: (string | number)[];
}

/** The outcome of compiling a section: the tuning, and every problem found (the tuning must not be used when there are any). */
export interface CompileResult {
  tuning: CompiledTuning;
  issues: ConfigIssue[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "string" ? `"${v.length > 60 ? `${v.slice(0, 60)}...` : v}"` : typeof v);

/**
 * Validates a `rules` section against a rule list and compiles it. Every problem is returned with its
 * path (e.g. `rules["iam.admin-policy-attached"].suppressions[2].cidr: not a CIDR ...`), so one run
 * shows everything to fix. Rule settings are checked by each rule's own schema after the shared
 * settings it takes are merged in.
 */
export function compileTuning(rules: readonly CatalogRule[], section: unknown, opts: CompileOptions = {}): CompileResult {
  const base = opts.path ?? ["rules"];
  const issues: ConfigIssue[] = [];
  const issue = (path: (string | number)[], message: string) => issues.push({ path: [...base, ...path], message });
  const byId = new Map(rules.map((r) => [r.id, r]));
  const disabled = new Set<string>();
  const severity = new Map<string, Severity>();
  const settings = new Map<string, unknown>();
  const givenSettings = new Map<string, Record<string, unknown>>();
  const suppressions = new Map<string, Suppression[]>();
  const tuning = {
    ruleIds: new Set(byId.keys()),
    disabled,
    severity,
    settings,
    givenSettings,
    suppressions,
    suppressionRun: (now: () => number) => (suppressions.size > 0 ? new SuppressionRun(suppressions, now) : undefined),
  } as CompiledTuning & { folder?: string };

  if (section === undefined || section === null) section = {};
  if (!isObject(section)) {
    issue([], `expected an object keyed by rule id, e.g. {"iam.admin-policy-attached": {"severity": "medium"}} (got ${describe(section)})`);
    return { tuning, issues };
  }
  if (section.folder !== undefined) {
    if (typeof section.folder !== "string" || section.folder.trim() === "") issue(["folder"], "expected the path of a folder of rules (relative to this file)");
    else tuning.folder = section.folder;
  }
  const ouAccounts = organizationalUnits(section.organizationalUnits, (p, m) => issue(["organizationalUnits", ...p], m));
  const shared = isObject(section.shared) ? section.shared : {};
  if (section.shared !== undefined && !isObject(section.shared)) issue(["shared"], `expected an object of settings several rules take, e.g. {"trustedAccounts": ["444455556666"]} (got ${describe(section.shared)})`);
  const takers = new Map<string, string[]>();
  for (const r of rules) for (const k of Object.keys((r.settings?.defaults ?? {}) as object)) takers.set(k, [...(takers.get(k) ?? []), r.id]);
  for (const k of Object.keys(shared)) {
    if (!takers.has(k)) {
      const common = [...takers].filter(([, ids]) => ids.length > 1).map(([key]) => key).sort();
      issue(["shared", k], `no rule takes a setting "${k}" (settings several rules take: ${common.join(", ") || "none"})`);
    }
  }

  const entries = Object.entries(section).filter(([k]) => !(SECTION_KEYS as readonly string[]).includes(k));
  for (const [id, value] of entries) {
    if (!id.includes(".")) {
      issue([id], `unknown key "${id}": rule ids look like service.what-happened; the other keys are ${SECTION_KEYS.join(", ")}`);
      continue;
    }
    const rule = byId.get(id);
    if (!rule) {
      issue([id], `unknown rule id "${id}"${suggest(id, [...byId.keys()])}`);
      continue;
    }
    if (!isObject(value)) {
      issue([id], `expected an object with any of ${RULE_KEYS.join(", ")} (got ${describe(value)})`);
      continue;
    }
    for (const k of Object.keys(value).filter((k) => !(RULE_KEYS as readonly string[]).includes(k))) {
      issue([id, k], rule.settings && k in (rule.settings.defaults as object)
        ? `"${k}" is a setting of the rule: put it under "settings", e.g. {"${id}": {"settings": {"${k}": ...}}}`
        : `unknown key "${k}" (allowed: ${RULE_KEYS.join(", ")})`);
    }
    if (value.enabled !== undefined) {
      if (typeof value.enabled !== "boolean") issue([id, "enabled"], "expected true or false");
      else if (!value.enabled) disabled.add(id);
    }
    if (value.severity !== undefined) {
      if (typeof value.severity !== "string" || !isSeverity(value.severity)) issue([id, "severity"], `expected one of ${SEVERITIES.join(", ")} (got ${describe(value.severity)})`);
      else severity.set(id, value.severity);
    }
    if (value.settings !== undefined && !isObject(value.settings)) issue([id, "settings"], `expected an object of the rule's settings (got ${describe(value.settings)})`);
    else if (value.settings !== undefined && !rule.settings) issue([id, "settings"], `rule "${id}" takes no settings`);
    if (value.suppressions !== undefined) {
      const list = compileSuppressions(id, value.suppressions, ouAccounts, [...base, id, "suppressions"], (p, m) => issue([id, "suppressions", ...p], m));
      if (list.length) suppressions.set(id, list);
    }
  }

  // Every rule with settings gets them resolved: defaults, the shared settings it takes, its own.
  for (const rule of rules) {
    if (!rule.settings) continue;
    const defaults = rule.settings.defaults as Record<string, unknown>;
    const own = isObject(section[rule.id]) && isObject((section[rule.id] as Record<string, unknown>).settings) ? ((section[rule.id] as Record<string, unknown>).settings as Record<string, unknown>) : {};
    const fromShared = Object.fromEntries(Object.keys(defaults).filter((k) => k in shared).map((k) => [k, shared[k]]));
    if (Object.keys(own).length === 0 && Object.keys(fromShared).length === 0) {
      settings.set(rule.id, defaults);
      continue;
    }
    const res = z.safeParse(rule.settings.schema, { ...defaults, ...fromShared, ...own });
    if (res.success) {
      settings.set(rule.id, res.data);
      givenSettings.set(rule.id, { ...fromShared, ...own });
      continue;
    }
    for (const i of res.error.issues) {
      const key = i.path[0];
      const at = i.path.map((p) => (typeof p === "number" ? p : String(p)));
      if (typeof key === "string" && !(key in own) && key in fromShared) issue(["shared", ...at], `${i.message} (checked by rule "${rule.id}")`);
      else issue([rule.id, "settings", ...at], i.message);
    }
  }
  return { tuning, issues };
}

/** The accounts of each OU (`organizationalUnits`), validated. */
function organizationalUnits(v: unknown, issue: (path: (string | number)[], message: string) => void): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (v === undefined) return out;
  if (!isObject(v)) {
    issue([], `expected an object of OU id to account ids, e.g. {"ou-ab12-11111111": ["111122223333"]} (got ${describe(v)})`);
    return out;
  }
  const entries = Object.entries(v);
  if (entries.length > TUNING_LIMITS.ous) issue([], `lists ${entries.length} OUs; at most ${TUNING_LIMITS.ous}`);
  for (const [ou, accounts] of entries.slice(0, TUNING_LIMITS.ous)) {
    if (!OU_ID.test(ou)) issue([ou], "not an OU id: expected ou-xxxx-xxxxxxxx");
    if (!Array.isArray(accounts) || accounts.length === 0) {
      issue([ou], "expected a list of the 12-digit account ids in the OU (its nested OUs' accounts included)");
      continue;
    }
    if (accounts.length > TUNING_LIMITS.accountsPerOu) issue([ou], `lists ${accounts.length} accounts; at most ${TUNING_LIMITS.accountsPerOu}`);
    accounts.slice(0, TUNING_LIMITS.accountsPerOu).forEach((a, i) => {
      if (typeof a !== "string" || !ACCOUNT_ID.test(a)) issue([ou, i], 'expected a 12-digit AWS account id in quotes, e.g. "111122223333"');
    });
    out.set(ou, new Set(accounts.filter((a): a is string => typeof a === "string" && ACCOUNT_ID.test(a))));
  }
  return out;
}

function compileSuppressions(
  rule: string,
  v: unknown,
  ous: ReadonlyMap<string, ReadonlySet<string>>,
  at: (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
): Suppression[] {
  if (!Array.isArray(v)) {
    issue([], `expected a list of suppressions, e.g. [{"principal": "arn:aws:iam::*:role/scanner", "reason": "inventory scanner"}] (got ${describe(v)})`);
    return [];
  }
  if (v.length > TUNING_LIMITS.suppressionsPerRule) issue([], `lists ${v.length} suppressions; at most ${TUNING_LIMITS.suppressionsPerRule}`);
  const out: Suppression[] = [];
  v.slice(0, TUNING_LIMITS.suppressionsPerRule).forEach((s, index) => {
    const bad = (path: (string | number)[], message: string) => issue([index, ...path], message);
    if (!isObject(s)) return bad([], `expected an object with a reason and at least one of ${CONDITIONS.join(", ")} (got ${describe(s)})`);
    for (const k of Object.keys(s).filter((k) => !(SUPPRESSION_KEYS as readonly string[]).includes(k))) bad([k], `unknown key "${k}" (allowed: ${SUPPRESSION_KEYS.join(", ")})`);
    const given = CONDITIONS.filter((c) => s[c] !== undefined);
    if (given.length === 0) {
      bad([], `names nothing to match: give at least one of ${CONDITIONS.join(", ")} (a suppression without one would hide every match; to switch the rule off set "enabled": false)`);
    }
    let ok = given.length > 0;
    if (typeof s.reason !== "string" || s.reason.trim() === "") {
      bad(["reason"], "required: say why this activity is fine (it is shown wherever the suppressed matches are counted)");
      ok = false;
    } else if (s.reason.length > TUNING_LIMITS.reasonChars) {
      bad(["reason"], `is ${s.reason.length} characters; at most ${TUNING_LIMITS.reasonChars}`);
      ok = false;
    }
    let expiresAt: number | undefined;
    if (s.expires !== undefined) {
      expiresAt = typeof s.expires === "string" ? expiryOf(s.expires) : undefined;
      if (expiresAt === undefined) {
        bad(["expires"], `expected a date such as 2026-12-31 (the suppression applies until the end of that day, UTC) or a time with its zone such as 2026-12-31T18:00:00Z (got ${describe(s.expires)})`);
        ok = false;
      }
    }
    const c: SuppressionConditions = {};
    for (const cond of given) {
      const values = listOf(s[cond], (p, m) => bad([cond, ...p], m));
      if (!values) {
        ok = false;
        continue;
      }
      const check = (problem: (x: string) => string | undefined) =>
        values.every((x, i) => {
          const p = problem(x);
          if (p) bad(values.length === 1 && typeof s[cond] === "string" ? [cond] : [cond, i], p);
          return !p;
        });
      switch (cond) {
        case "principal":
          if (check(arnPatternProblem)) c.principal = values;
          else ok = false;
          break;
        case "account":
          if (check((x) => (ACCOUNT_ID.test(x) ? undefined : 'not an account id: expected 12 digits in quotes, e.g. "111122223333"'))) c.account = values;
          else ok = false;
          break;
        case "ou":
          if (
            check((x) =>
              !OU_ID.test(x)
                ? "not an OU id: expected ou-xxxx-xxxxxxxx"
                : !ous.has(x)
                  ? `${x} is not in organizationalUnits: trailwatch does not ask AWS Organizations which accounts an OU holds; list them, e.g. "organizationalUnits": {"${x}": ["111122223333"]}`
                  : undefined,
            )
          ) c.ouAccounts = [...new Set(values.flatMap((x) => [...(ous.get(x) ?? [])]))];
          else ok = false;
          break;
        case "cidr":
          if (check(cidrProblem)) c.cidr = values;
          else ok = false;
          break;
        case "userAgent":
          if (check((x) => (x.length > TUNING_LIMITS.patternChars ? `is longer than ${TUNING_LIMITS.patternChars} characters` : undefined))) c.userAgent = values;
          else ok = false;
          break;
        case "region":
          if (check((x) => (REGION.test(x) ? undefined : "not a region name: expected e.g. eu-west-1"))) c.region = values;
          else ok = false;
          break;
      }
    }
    if (!ok) return;
    out.push({
      rule,
      index,
      path: formatPath([...at, index]),
      reason: (s.reason as string).trim(),
      ...(typeof s.expires === "string" && expiresAt !== undefined ? { expires: s.expires, expiresAt } : {}),
      conditions: c,
      matches: suppressionMatcher(c),
    });
  });
  return out;
}

/** A condition's values: one string or a non-empty list of strings. */
function listOf(v: unknown, issue: (path: (string | number)[], message: string) => void): string[] | undefined {
  if (typeof v === "string") {
    if (v === "") return issue([], "is empty"), undefined;
    return [v];
  }
  if (!Array.isArray(v) || v.length === 0) return issue([], `expected a string or a non-empty list of strings (got ${describe(v)})`), undefined;
  if (v.length > TUNING_LIMITS.valuesPerCondition) return issue([], `lists ${v.length} values; at most ${TUNING_LIMITS.valuesPerCondition}`), undefined;
  const bad = v.findIndex((x) => typeof x !== "string" || x === "");
  if (bad >= 0) return issue([bad], `expected a non-empty string (got ${describe(v[bad])})`), undefined;
  return v as string[];
}

/** Epoch ms from which a suppression no longer applies: the end of the day for a date, the time itself otherwise. */
export function expiryOf(text: string): number | undefined {
  const d = DAY.exec(text);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const start = Date.UTC(y, m - 1, day);
    const check = new Date(start);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) return undefined;
    return start + 86_400_000;
  }
  if (!TIME.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

const MAX_SUGGESTED = 20;

/** ` (did you mean "x"?)` for a near miss, else a hint where ids are listed. */
function suggest(id: string, known: string[]): string {
  const service = id.split(".")[0];
  const near = known.filter((k) => k.split(".")[0] === service).sort();
  // A service's rules fit in one message line up to about twenty; beyond that the listing command is the better answer.
  if (near.length > 0 && near.length <= MAX_SUGGESTED) return ` (rules of ${service}: ${near.join(", ")})`;
  return " (`trailwatch rules` lists every rule id)";
}
