import * as z from "../zod";
import { accountOfRecord, type CloudTrailRecord } from "../record/schema";
import { ACCOUNT_ID } from "../aws/identifiers";
import { partitionOfRegion } from "../aws/partition";
import { accountOfPrincipal } from "../record/principal";

// The record helpers rules use, under the names the catalog imports them by.
export { accountOfPrincipal, accountOfRecord };

/** Reads a nested value by path from a record's requestParameters (or any object); undefined when absent. */
export function dig(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** A request parameter as a string, or undefined. */
export function paramString(r: CloudTrailRecord, ...path: (string | number)[]): string | undefined {
  const v = dig(r.requestParameters, ...path);
  return typeof v === "string" ? v : undefined;
}

/**
 * Wraps a value that AWS writes either as one item or as a list (and `{items:[...]}` in EC2) into an
 * array. EC2 writes an empty set as `{}`, which is an empty list here.
 */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === "object" && Object.keys(v).length === 0) return [];
  if (typeof v === "object" && Array.isArray((v as { items?: unknown }).items)) return (v as { items: unknown[] }).items;
  if (typeof v === "object" && Array.isArray((v as { item?: unknown }).item)) return (v as { item: unknown[] }).item;
  return [v];
}

/**
 * Parses a JSON document that CloudTrail may log either as an object or as a (URL-encoded) string,
 * e.g. IAM policy documents. Returns undefined when it is not JSON.
 */
export function jsonDocument(v: unknown): unknown {
  if (v && typeof v === "object") return v;
  if (typeof v !== "string") return undefined;
  for (const text of [v, safeDecode(v)]) {
    if (text === undefined) continue;
    try {
      return JSON.parse(text);
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** Last path segment of an ARN or name ("arn:...:trail/org-trail" -> "org-trail"). */
export function shortName(v: string | undefined): string | undefined {
  if (!v) return v;
  const i = v.lastIndexOf("/");
  return i >= 0 ? v.slice(i + 1) : v;
}

/** Human wording of who acted, with the session for assumed roles. */
export function actor(p: { name: string; session?: string; type: string }): string {
  if (p.type === "AssumedRole" && p.session) return `${p.name} (session ${p.session})`;
  if (p.type === "Root") return "the root user";
  return p.name;
}

/** A response element as a string, or undefined. */
export function responseString(r: CloudTrailRecord, ...path: (string | number)[]): string | undefined {
  const v = dig(r.responseElements, ...path);
  return typeof v === "string" ? v : undefined;
}

/** A request parameter read as a boolean: true/false, or the strings "true"/"false" (any case). */
export function paramBool(r: CloudTrailRecord, ...path: (string | number)[]): boolean | undefined {
  return asBool(dig(r.requestParameters, ...path));
}

/** true/false, or the strings "true"/"false" in any case; otherwise undefined. */
export function asBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false") return false;
  }
  return undefined;
}

/** Strings of a field AWS writes as one string or a list of strings (policy Action, Resource, Principal.AWS). */
export function stringList(v: unknown): string[] {
  return asList(v).filter((x): x is string => typeof x === "string");
}

/**
 * The statements of an IAM-style policy document, which CloudTrail logs as an object, as JSON text or
 * as URL-encoded JSON text; `Statement` may be one object or a list. Empty when it is not a policy.
 */
export function policyStatements(doc: unknown): Record<string, unknown>[] {
  const parsed = jsonDocument(doc);
  if (!parsed || typeof parsed !== "object") return [];
  const st = (parsed as { Statement?: unknown }).Statement;
  return asList(st).filter((x): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x));
}

/** One principal named by a policy statement: `kind` is "*" (anyone), "AWS", "Service", "Federated" or "CanonicalUser". */
export interface StatementPrincipal {
  kind: string;
  value: string;
}

/** Principals of a statement's `Principal` ("*" or `{AWS|Service|Federated|CanonicalUser: string | string[]}`). */
export function statementPrincipals(st: Record<string, unknown>): StatementPrincipal[] {
  const p = st.Principal;
  if (p === "*") return [{ kind: "*", value: "*" }];
  if (!p || typeof p !== "object" || Array.isArray(p)) return [];
  const out: StatementPrincipal[] = [];
  for (const [kind, v] of Object.entries(p as Record<string, unknown>)) {
    for (const value of stringList(v)) out.push({ kind, value });
  }
  return out;
}

/** The statement's Effect is Allow (case-insensitive; IAM rejects other spellings, CloudTrail logs what was sent). */
export function isAllow(st: Record<string, unknown>): boolean {
  return typeof st.Effect === "string" && st.Effect.toLowerCase() === "allow";
}

/**
 * Condition keys that narrow who can use a grant to a known set of principals, networks or sources.
 * `aws:SecureTransport`, `sts:ExternalId` (not a secret) and the like do not narrow it.
 */
const NARROWING_CONDITION_KEYS = new Set([
  "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:userid",
  "aws:username", "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceip",
  "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip", "aws:principalservicename", "kms:calleraccount",
  "kms:viaservice", "lambda:functionurlauthtype", "s3:dataaccesspointaccount", "s3:dataaccesspointarn",
  "sns:endpoint", "elasticfilesystem:accessedviamounttarget", "aws:resourceorgid", "aws:resourceaccount",
]);

/** Condition keys of a statement that narrow who may use it (see `NARROWING_CONDITION_KEYS`), lower-cased. */
export function narrowingConditionKeys(st: Record<string, unknown>): string[] {
  const cond = st.Condition;
  if (!cond || typeof cond !== "object") return [];
  const keys: string[] = [];
  for (const [op, body] of Object.entries(cond as Record<string, unknown>)) {
    if (!body || typeof body !== "object") continue;
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      const k = key.toLowerCase();
      if (!NARROWING_CONDITION_KEYS.has(k)) continue;
      // In an Allow, a negated operator ("everyone except ...") narrows nothing; nor does "...IfExists",
      // which passes for anonymous callers who have no such key, nor a Null check.
      if (/not|ifexists/i.test(op) || /^null$/i.test(op)) continue;
      const values = stringList(value);
      // A source-IP condition on the whole internet, or a wildcard-only match, narrows nothing either.
      if ((k === "aws:sourceip" || k === "aws:vpcsourceip") && values.some(isWorldCidr)) continue;
      if (values.length > 0 && values.every((x) => /^\*+$/.test(x))) continue;
      keys.push(k);
    }
  }
  return keys;
}

/**
 * True when an Allow statement lets anyone act: Principal "*" or `{"AWS": "*"}` (or a CanonicalUser
 * "*", or a NotPrincipal), with no condition that narrows who (organization, account, ARN, network,
 * source).
 */
export function isPublicAllow(st: Record<string, unknown>): boolean {
  if (!isAllow(st)) return false;
  // "Allow NotPrincipal X" grants everyone except X.
  const anyone = st.NotPrincipal !== undefined ||
    statementPrincipals(st).some((p) => p.value === "*" && (p.kind === "*" || p.kind === "AWS" || p.kind === "CanonicalUser"));
  return anyone && narrowingConditionKeys(st).length === 0;
}

/** True for a CIDR that covers every address: an IPv4 or IPv6 prefix of length 0 (0.0.0.0/0, ::/0). */
export function isWorldCidr(v: unknown): boolean {
  return typeof v === "string" && /\/0$/.test(v.trim());
}

/**
 * The IAM user the caller is, to tell "for themselves" from "for someone else": the user of an
 * IAMUser identity, from its ARN (authoritative) else userName. Undefined for every other identity:
 * a role session name is chosen by whoever assumes the role, so "session alice changed user alice"
 * proves nothing, and treating it as "self" would let an attacker lower the alert by naming the session.
 */
export function callerUserName(r: CloudTrailRecord): string | undefined {
  const ui = r.userIdentity;
  if (!ui || ui.type !== "IAMUser") return undefined;
  const m = ui.arn ? /:user\/(?:.*\/)?([^/]+)$/.exec(ui.arn) : null;
  return m?.[1] ?? ui.userName ?? undefined;
}

/**
 * True when a sign-in event (signin.amazonaws.com) reports failure. Console sign-in failures carry no
 * `errorCode`: the outcome is `responseElements.<EventName>: "Failure"` and an `errorMessage`.
 */
export function signinFailed(r: CloudTrailRecord): boolean {
  if (r.errorCode || r.errorMessage) return true;
  const re = r.responseElements;
  if (!re || typeof re !== "object") return false;
  return Object.values(re as Record<string, unknown>).some((v) => typeof v === "string" && v.toLowerCase() === "failure");
}

/** A zod refinement message for a string that must compile as a regular expression, or undefined when it does. */
export function regexProblem(p: string): string | undefined {
  try {
    new RegExp(p, "i");
    return undefined;
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message}`;
  }
}

/**
 * The attribution alerts of a rule ported from Sigma carry (Detection Rule License 1.1: alerts based
 * on a derived rule name its author).
 */
export function sigmaAttribution(origins: readonly { sigma: string; author: string }[]): string {
  const rules = origins.map((o) => `"${o.sigma}" by ${o.author}`).join("; ");
  return `Detection based on Sigma rule ${rules} (Detection Rule License 1.1, https://github.com/SigmaHQ/Detection-Rule-License)`;
}

/** The hour of an event ("2026-11-23T10"), for dedup keys that collapse a burst without hiding next week's repeat. */
export function hourOf(r: CloudTrailRecord): string {
  return r.eventTime.slice(0, 13);
}


/**
 * ARN of the trail named by a CloudTrail API call (`name` or `trailName`, a name or an ARN). A bare
 * name is completed with the event's region and account: calls that change a trail are made in its
 * home region, so this is the ARN the platform protects and a remediator can act on.
 */
export function trailArnOf(r: CloudTrailRecord): string | undefined {
  const name = paramString(r, "name") ?? paramString(r, "trailName");
  if (!name) return undefined;
  if (name.startsWith("arn:")) return name;
  return `arn:${partitionOfRegion(r.awsRegion)}:cloudtrail:${r.awsRegion ?? "unknown"}:${accountOfRecord(r)}:trail/${name}`;
}

/** A rule setting: a list of 12-digit account ids (e.g. accounts trusted to receive shares). */
export function accountIdListSchema() {
  return z.array(z.string().check(z.regex(ACCOUNT_ID, "must be a 12-digit AWS account id")));
}

/**
 * A rule setting: a list of case-insensitive regular expressions, each checked to compile; non-empty
 * unless `minItems` is 0 (e.g. an allow-list that is empty by default).
 */
export function patternListSchema(minItems = 1) {
  return z
    .array(
      z.string().check(
        z.minLength(1),
        z.superRefine((p, ctx) => {
          const problem = regexProblem(p);
          if (problem) ctx.addIssue({ code: "custom", message: `"${p}" is ${problem}` });
        }),
      ),
    )
    .check(z.minLength(minItems));
}

const compiledPatterns = new WeakMap<readonly string[], RegExp[]>();

/** The first pattern of `patterns` (compiled once per settings object) that matches `value`, if any. */
export function firstMatchingPattern(patterns: readonly string[], value: string): string | undefined {
  let res = compiledPatterns.get(patterns);
  if (!res) compiledPatterns.set(patterns, (res = patterns.map((p) => new RegExp(p, "i"))));
  const i = res.findIndex((re) => re.test(value));
  return i >= 0 ? patterns[i] : undefined;
}
