import type { Severity } from "../../alert/alert";
import { cidrProblem } from "../cidr";
import { hasWildcard, literalOf } from "../wildcard";
import { ConditionError, parseCondition, referenced, type Condition } from "./condition";
import { linearRegex } from "./linear-regex";
import type { FieldTest, Selection, SigmaOp, SigmaSpec } from "./spec";

/** A Sigma rule that cannot be used: the file, and what is wrong or which feature is not supported. */
export class SigmaRuleError extends Error {
  override name = "SigmaRuleError";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Modifiers evaluated natively; the others Sigma defines are named when a rule uses them. */
export const SUPPORTED_MODIFIERS = ["contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cidr", "exists", "cased"] as const;
const KNOWN_UNSUPPORTED = new Set(["base64", "base64offset", "wide", "utf16", "utf16le", "utf16be", "windash", "fieldref", "gt", "gte", "lt", "lte", "expand", "neq", "minute", "hour", "day", "week", "month", "year"]);
const OPS = new Set<SigmaOp>(["contains", "startswith", "endswith", "re", "cidr", "exists"]);

/** Bounds of a rule: it is read by every function at every cold start. */
export const SIGMA_LIMITS = { selections: 100, mapsPerSelection: 100, fieldsPerMap: 100, valuesPerField: 1000, valueChars: 4096, pathDepth: 16 } as const;

const LEVELS: Record<string, Severity> = { informational: "info", low: "low", medium: "medium", high: "high", critical: "critical" };
const ATTACK_TAG = /^attack\.t(\d{4})(?:\.(\d{3}))?$/i;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);

/** trailwatch's id of a Sigma rule file: `sigma.` and the file name without extension, lower case, `_` and spaces as `-`. */
export function sigmaRuleId(fileName: string): string {
  const stem = fileName.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/i, "");
  return `sigma.${stem.toLowerCase().replace(/[_\s]+/g, "-").replace(/[^a-z0-9.-]/g, "")}`;
}

/**
 * Validates a parsed Sigma rule (the YAML document as plain data) for AWS CloudTrail and compiles
 * it. Rejected, with the file and the feature named: other log sources, correlation rules,
 * keyword (full-text) searches, aggregations (`| count()`), `near`, `timeframe`, modifiers other
 * than {@link SUPPORTED_MODIFIERS}, invalid or non-linear regular expressions, invalid CIDRs.
 */
export function compileSigma(doc: unknown, file: string): SigmaSpec {
  const fail = (problem: string): never => {
    throw new SigmaRuleError(file, problem);
  };
  if (!isObject(doc)) return fail("not a Sigma rule: expected a YAML mapping with title, logsource and detection");
  if (doc.correlation !== undefined) fail("correlation rules are not supported: trailwatch evaluates one event at a time (threshold rules count over time)");
  const title = str(doc.title) ?? fail("title is required");
  if (title.length > 256) fail("title is longer than 256 characters");
  if (String(doc.status ?? "").toLowerCase() === "unsupported") fail('the rule\'s status is "unsupported" (Sigma marks rules that use features no backend runs)');

  const ls = doc.logsource;
  if (!isObject(ls)) fail('logsource is required: { product: aws, service: cloudtrail }');
  const logsource = ls as Record<string, unknown>;
  const product = String(logsource.product ?? "").toLowerCase();
  const service = String(logsource.service ?? "").toLowerCase();
  const extra = Object.keys(logsource).filter((k) => !["product", "service", "definition"].includes(k));
  if (product !== "aws" || service !== "cloudtrail" || extra.length > 0) {
    fail(`logsource ${JSON.stringify(logsource).slice(0, 200)} is not supported: trailwatch reads AWS CloudTrail (logsource product: aws, service: cloudtrail)`);
  }

  const det = doc.detection;
  if (!isObject(det)) return fail("detection is required: selections and a condition");
  if (det.timeframe !== undefined) fail("timeframe is not supported: trailwatch evaluates one event at a time (threshold rules count over time)");
  const names = Object.keys(det).filter((k) => k !== "condition");
  if (names.length === 0) fail("detection has no selection");
  if (names.length > SIGMA_LIMITS.selections) fail(`detection has ${names.length} selections; at most ${SIGMA_LIMITS.selections}`);
  const selections: Record<string, Selection> = {};
  for (const name of names) selections[name] = compileSelection(det[name], `detection.${name}`, fail);

  const conditions = Array.isArray(det.condition) ? det.condition : [det.condition];
  if (det.condition === undefined || conditions.length === 0) fail("detection.condition is required");
  const parsed: Condition[] = conditions.map((c, i) => {
    if (typeof c !== "string") return fail(`detection.condition${Array.isArray(det.condition) ? `[${i}]` : ""}: expected text such as "selection and not filter"`);
    try {
      return parseCondition(c, names);
    } catch (e) {
      if (e instanceof ConditionError) return fail(`detection.condition: ${e.message}`);
      throw e;
    }
  });
  // A list of conditions means any of them (Sigma's older form).
  const condition: Condition = parsed.length === 1 ? parsed[0]! : { or: parsed };
  const used = referenced(condition);
  for (const sel of used) if (!selections[sel]) fail(`detection.condition names "${sel}", which is not a selection`);

  const level = doc.level === undefined ? "medium" : String(doc.level).toLowerCase();
  const severity = LEVELS[level] ?? fail(`level "${String(doc.level)}" is not a Sigma level (informational, low, medium, high, critical)`);
  const tags = strings(doc.tags).slice(0, 100);
  const mitre = [...new Set(tags.map((t) => ATTACK_TAG.exec(t.trim())).filter((m): m is RegExpExecArray => m !== null).map((m) => `T${m[1]}${m[2] ? `.${m[2]}` : ""}`))];
  const author = str(doc.author);
  return {
    file,
    id: sigmaRuleId(file),
    ...(str(doc.id) ? { sigmaId: str(doc.id)!.slice(0, 64) } : {}),
    title,
    ...(str(doc.description) ? { description: str(doc.description)!.slice(0, 4096) } : {}),
    ...(author ? { author: author.slice(0, 512) } : {}),
    ...(str(doc.license) ? { license: str(doc.license)!.slice(0, 256) } : {}),
    ...(str(doc.status) ? { status: str(doc.status)!.toLowerCase() } : {}),
    severity,
    mitre,
    tags,
    references: strings(doc.references).slice(0, 50).map((r) => r.slice(0, 1024)),
    falsePositives: strings(doc.falsepositives).slice(0, 50).map((r) => r.slice(0, 1024)),
    selections,
    condition,
    index: { eventSources: required("eventSource", condition, selections), eventNames: required("eventName", condition, selections) },
  };
}

function compileSelection(v: unknown, at: string, fail: (p: string) => never): Selection {
  if (Array.isArray(v)) {
    if (v.length === 0) fail(`${at}: is an empty list`);
    if (v.length > SIGMA_LIMITS.mapsPerSelection) fail(`${at}: lists ${v.length} maps; at most ${SIGMA_LIMITS.mapsPerSelection}`);
    if (!v.every(isObject)) fail(`${at}: keyword (full-text) searches are not supported: name the field, e.g. userAgent|contains: TruffleHog`);
    return { anyOf: v.map((m, i) => compileMap(m, `${at}[${i}]`, fail)) };
  }
  if (!isObject(v)) return fail(`${at}: keyword (full-text) searches are not supported: name the field, e.g. userAgent|contains: TruffleHog`);
  return { anyOf: [compileMap(v, at, fail)] };
}

function compileMap(m: Record<string, unknown>, at: string, fail: (p: string) => never): FieldTest[] {
  const keys = Object.keys(m);
  if (keys.length === 0) fail(`${at}: is empty`);
  if (keys.length > SIGMA_LIMITS.fieldsPerMap) fail(`${at}: has ${keys.length} fields; at most ${SIGMA_LIMITS.fieldsPerMap}`);
  return keys.map((key) => compileField(key, m[key], `${at}.${key}`, fail));
}

function compileField(key: string, raw: unknown, at: string, fail: (p: string) => never): FieldTest {
  const [field, ...mods] = key.split("|").map((s) => s.trim());
  if (!field) fail(`${at}: keyword (full-text) searches are not supported: name the field`);
  const path = field.split(".");
  if (path.some((p) => p === "")) fail(`${at}: "${field}" is not a field path (dotted names such as requestParameters.policyArn)`);
  if (path.length > SIGMA_LIMITS.pathDepth) fail(`${at}: the field path is deeper than ${SIGMA_LIMITS.pathDepth} levels`);
  let op: SigmaOp = "equals";
  let all = false;
  let cased = false;
  const flags: { i?: boolean; m?: boolean; s?: boolean } = {};
  for (const mod of mods.map((x) => x.toLowerCase())) {
    if (OPS.has(mod as SigmaOp)) {
      if (op !== "equals") fail(`${at}: modifiers ${op} and ${mod} cannot be combined`);
      op = mod as SigmaOp;
    } else if (mod === "all") all = true;
    else if (mod === "cased") cased = true;
    else if (mod === "i" || mod === "m" || mod === "s") flags[mod] = true;
    else if (KNOWN_UNSUPPORTED.has(mod)) fail(`${at}: modifier "${mod}" is not supported (supported: ${SUPPORTED_MODIFIERS.join(", ")})`);
    else fail(`${at}: unknown modifier "${mod}" (supported: ${SUPPORTED_MODIFIERS.join(", ")})`);
  }
  if (Object.keys(flags).length > 0 && op !== "re") fail(`${at}: modifiers i, m and s apply to re only`);
  if (cased && (op === "re" || op === "cidr" || op === "exists")) fail(`${at}: cased applies to plain values, contains, startswith and endswith`);

  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) fail(`${at}: is an empty list (it would match nothing)`);
  if (list.length > SIGMA_LIMITS.valuesPerField) fail(`${at}: lists ${list.length} values; at most ${SIGMA_LIMITS.valuesPerField}`);
  const values = list.map((v, i) => {
    const where = Array.isArray(raw) ? `${at}[${i}]` : at;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
      if (typeof v === "string" && v.length > SIGMA_LIMITS.valueChars) fail(`${where}: the value is longer than ${SIGMA_LIMITS.valueChars} characters`);
      if (typeof v === "number" && !Number.isFinite(v)) fail(`${where}: ${v} is not a usable number`);
      return v;
    }
    return fail(`${where}: expected a string, number, boolean or null (nested maps are written as dotted field names, e.g. requestParameters.policyArn)`);
  });
  if (op === "exists") {
    if (values.length !== 1 || typeof values[0] !== "boolean") fail(`${at}: exists takes true or false`);
  } else if (op === "cidr") {
    values.forEach((v, i) => {
      const problem = typeof v === "string" ? cidrProblem(v) : "not a CIDR: expected e.g. 10.0.0.0/8";
      if (problem) fail(`${Array.isArray(raw) ? `${at}[${i}]` : at}: ${problem}`);
    });
  } else if (op === "re") {
    values.forEach((v, i) => {
      if (typeof v !== "string") fail(`${Array.isArray(raw) ? `${at}[${i}]` : at}: re takes a pattern in quotes`);
      try {
        linearRegex(v, flags);
      } catch (e) {
        fail(`${Array.isArray(raw) ? `${at}[${i}]` : at}: ${(e as Error).message}`);
      }
    });
  } else if (op !== "equals" && values.some((v) => v === null)) {
    fail(`${at}: null goes with a plain field (field: null), not with ${op}`);
  }
  return { key, path, op, values, all, cased, ...(op === "re" ? { flags } : {}) };
}

/**
 * The values a field (`eventSource` or `eventName`; values lower-cased) must have for the condition
 * to hold, or `*` when it may have any: what the engine indexes the rule by. A selection constrains
 * a field when every one of its maps tests it with plain values without wildcards; `and` takes the
 * intersection of what its parts constrain, `or` the union when all of them do; `not` constrains nothing.
 */
function required(field: "eventSource" | "eventName", c: Condition, selections: Record<string, Selection>): string[] | "*" {
  const walk = (c: Condition): Set<string> | undefined => {
    if ("ref" in c) return fromSelection(selections[c.ref]!);
    if ("not" in c) return undefined;
    const parts = ("and" in c ? c.and : c.or).map(walk);
    if ("or" in c) return parts.every((p) => p) ? new Set(parts.flatMap((p) => [...p!])) : undefined;
    let acc: Set<string> | undefined;
    for (const p of parts) if (p) acc = acc ? new Set([...acc].filter((x) => p.has(x))) : p;
    return acc;
  };
  const fromSelection = (s: Selection): Set<string> | undefined => {
    const sets = s.anyOf.map((map) => {
      const tests = map.filter((t) => t.path.length === 1 && t.path[0] === field && t.op === "equals" && !t.cased);
      let acc: Set<string> | undefined;
      for (const t of tests) {
        if (!t.values.every((v) => typeof v === "string" && !hasWildcard(v, { escapes: true }))) continue;
        const vals = t.values.map((v) => literalOf(v as string, { escapes: true }).toLowerCase());
        // `all` with several values means every one at once: only one name can hold.
        const set = new Set(t.all && vals.length > 1 ? (new Set(vals).size === 1 ? [vals[0]!] : []) : vals);
        acc = acc ? new Set([...acc].filter((x) => set.has(x))) : set;
      }
      return acc;
    });
    return sets.every((x) => x) ? new Set(sets.flatMap((x) => [...x!])) : undefined;
  };
  const set = walk(c);
  return set ? [...set].sort() : "*";
}
