import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, extname, join, relative, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { isSeverity } from "../../core/alert/alert";
import type { AnyRule } from "../../core/rules/rule";
import { compileSigma, SigmaRuleError } from "../../core/rules/sigma/compile";
import { sigmaRule } from "../../core/rules/sigma/rule";
import type { SigmaSpec } from "../../core/rules/sigma/spec";
import * as z from "../../core/zod";

/**
 * A folder of your own rules: TypeScript modules (`*.ts`, the `Rule` shape, default export) and Sigma
 * rules for CloudTrail (`*.yml`, `*.yaml`), each with its examples in `<file name>.tests.json`
 * beside it (`{ "positive": [records], "negative": [records] }`; a TypeScript rule may carry
 * `examples` itself too). Subfolders are read; other files (README.md, ...) are left alone.
 */
export const RULES_FOLDER_LIMITS = {
  /** Files of the kinds above in a folder and its subfolders. */
  files: 1000,
  /** Depth of subfolders. */
  depth: 8,
  /** Bytes of a Sigma rule or a TypeScript rule file. */
  ruleFileBytes: 256 * 1024,
  /** Bytes of an examples file. */
  examplesBytes: 16 * 1024 * 1024,
  /** YAML aliases in a Sigma rule (no "billion laughs"). */
  yamlAliases: 100,
} as const;

/** Records a rule must fire on and records it must not. */
export interface RuleExamples {
  positive: Record<string, unknown>[];
  negative: Record<string, unknown>[];
}

/** A rule read from a rules folder. */
export interface LoadedRule {
  /** Absolute path of the rule file. */
  file: string;
  /** Relative to the folder, for people. */
  name: string;
  kind: "typescript" | "sigma";
  rule: AnyRule;
  /** The compiled Sigma rule (what a deployed function embeds). */
  spec?: SigmaSpec;
  /** Its examples (undefined when it has none), and where they come from. */
  examples?: RuleExamples;
  examplesFile?: string;
}

/** A file that could not be used, with why. */
export interface RuleFileProblem {
  /** Relative to the folder. */
  file: string;
  message: string;
}

export interface RulesFolder {
  dir: string;
  rules: LoadedRule[];
  problems: RuleFileProblem[];
}

export interface LoadOptions {
  /** Ids of the rules already there (the catalog): a custom rule may not reuse one. */
  reservedIds?: ReadonlySet<string>;
  /** Read the examples files too (test-rules, synth); a scan does not need them. */
  examples?: boolean;
  /** Loads a TypeScript module (default: `require`, which tsx, jest and infra/main.ts make TypeScript-aware). */
  load?: (file: string) => unknown;
}

const RULE_ID = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
const EXAMPLES_SUFFIX = ".tests.json";

function ruleFiles(dir: string, problems: RuleFileProblem[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (d: string, depth: number) => {
    let real: string;
    try {
      real = realpathSync(d);
    } catch (e) {
      problems.push({ file: relative(dir, d) || ".", message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name);
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      if (entry.isDirectory()) {
        if (depth >= RULES_FOLDER_LIMITS.depth) problems.push({ file: relative(dir, p), message: `is nested deeper than ${RULES_FOLDER_LIMITS.depth} folders; not read` });
        else walk(p, depth + 1);
      } else if (isRuleFile(entry.name) || (entry.isSymbolicLink() && isRuleFile(entry.name))) {
        if (out.length >= RULES_FOLDER_LIMITS.files) {
          problems.push({ file: relative(dir, p), message: `the folder holds more than ${RULES_FOLDER_LIMITS.files} rule files; this one and later ones are not read` });
          return;
        }
        out.push(p);
      }
    }
  };
  walk(dir, 0);
  return out;
}

function isRuleFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) || (name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts"));
}

/** The text of a file, refused when larger than `limit` bytes. */
function readBounded(file: string, limit: number): string {
  const size = statSync(file).size;
  if (size > limit) throw new Error(`is ${size} bytes; a rule file may be at most ${limit} bytes`);
  return readFileSync(file, "utf8").replace(/^\uFEFF/, "");
}

/**
 * Reads every rule of a folder. A file that cannot be used is reported with why (the other rules
 * still load); callers decide what a problem means: `trailwatch scan` and synth refuse to run with
 * any, `trailwatch test-rules` counts each as a failure and tests the rest.
 */
export function loadRulesFolder(folder: string, opts: LoadOptions = {}): RulesFolder {
  const dir = resolve(folder);
  const problems: RuleFileProblem[] = [];
  const rules: LoadedRule[] = [];
  let st;
  try {
    st = lstatSync(dir).isSymbolicLink() ? statSync(dir) : lstatSync(dir);
  } catch (e) {
    return { dir, rules, problems: [{ file: folder, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }] };
  }
  if (!st.isDirectory()) return { dir, rules, problems: [{ file: folder, message: "is not a folder" }] };

  const ids = new Map<string, string>();
  for (const file of ruleFiles(dir, problems)) {
    const name = relative(dir, file);
    try {
      const loaded = /\.ya?ml$/i.test(file) ? loadSigma(file, name) : loadTypeScript(file, name, opts.load);
      for (const l of loaded) {
        if (opts.reservedIds?.has(l.rule.id)) throw new Error(`rule id "${l.rule.id}" is a rule of the catalog; give your rule its own id`);
        const other = ids.get(l.rule.id);
        if (other) throw new Error(`rule id "${l.rule.id}" is also the id of ${other}`);
      }
      for (const l of loaded) {
        ids.set(l.rule.id, name);
        if (opts.examples) attachExamples(l);
        rules.push(l);
      }
    } catch (e) {
      problems.push({ file: name, message: e instanceof SigmaRuleError ? e.problem : (e as Error).message });
    }
  }
  return { dir, rules, problems };
}

function loadSigma(file: string, name: string): LoadedRule[] {
  const text = readBounded(file, RULES_FOLDER_LIMITS.ruleFileBytes);
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length !== 1) throw new Error(`holds ${list.length} YAML documents; one Sigma rule per file (rule collections are not supported)`);
  const doc = list[0]!;
  const error = doc.errors[0];
  if (error) throw new Error(`not valid YAML: ${error.message.split("\n")[0]}`);
  const data: unknown = doc.toJS({ maxAliasCount: RULES_FOLDER_LIMITS.yamlAliases });
  const spec = compileSigma(data, basename(file));
  return [{ file, name, kind: "sigma", rule: sigmaRule(spec), spec }];
}

function loadTypeScript(file: string, name: string, load: ((file: string) => unknown) | undefined): LoadedRule[] {
  readBounded(file, RULES_FOLDER_LIMITS.ruleFileBytes);
  let mod: unknown;
  try {
    mod = (load ?? require)(file);
  } catch (e) {
    throw new Error(`cannot be loaded: ${(e as Error).message.split("\n")[0]}`);
  }
  const exported = (mod as { default?: unknown })?.default ?? mod;
  const list = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0) throw new Error("exports no rule: export default defineRule({...}) (or a list of rules)");
  return list.map((r, i) => ({ file, name, kind: "typescript" as const, rule: checkRule(r, list.length > 1 ? `rule [${i}]` : "the rule") }));
}

/** Checks a module's export has the `Rule` shape; throws saying what is missing. */
function checkRule(r: unknown, what: string): AnyRule {
  const bad = (m: string): never => {
    throw new Error(`${what} ${m}`);
  };
  if (!r || typeof r !== "object") return bad("is not an object: export default defineRule({ id, title, severity, ... })");
  const o = r as Record<string, unknown>;
  if (o.kind === "threshold") bad("is a threshold rule: a rules folder holds single-event rules (use a Sigma or TypeScript rule; threshold rules belong in the catalog)");
  if (typeof o.id !== "string" || !RULE_ID.test(o.id)) bad(`has id ${JSON.stringify(o.id)}: expected service.what-happened in lower case, e.g. "iam.break-glass-role-used"`);
  const id = `"${String(o.id)}"`;
  if (typeof o.title !== "string" || !o.title.trim()) bad(`${id} has no title`);
  if (typeof o.severity !== "string" || !isSeverity(o.severity)) bad(`${id} has severity ${JSON.stringify(o.severity)}: expected info, low, medium, high or critical`);
  if (typeof o.description !== "string") bad(`${id} has no description`);
  if (!Array.isArray(o.eventSources) || o.eventSources.length === 0 || !o.eventSources.every((s) => typeof s === "string" && s)) bad(`${id} needs eventSources: a list such as ["iam.amazonaws.com"]`);
  if (o.eventNames !== "*" && (!Array.isArray(o.eventNames) || o.eventNames.length === 0 || !o.eventNames.every((s) => typeof s === "string" && s))) bad(`${id} needs eventNames: a list such as ["AttachRolePolicy"], or "*"`);
  if (typeof o.match !== "function") bad(`${id} needs a match(record, ctx) function`);
  if (typeof o.summary !== "function") bad(`${id} needs a summary(record, ctx) function`);
  for (const f of ["severityFor", "dedupKey", "context"]) if (o[f] !== undefined && typeof o[f] !== "function") bad(`${id}: ${f} must be a function`);
  if (!o.references || typeof o.references !== "object") bad(`${id} needs references (may be {}; e.g. { mitre: ["T1098"] })`);
  if (o.remediation !== undefined) bad(`${id} names a remediation: only catalog rules may (remediations are reviewed code of trailwatch)`);
  if (o.settings !== undefined) {
    const st: { schema?: { _zod?: unknown }; defaults?: unknown } | null = o.settings;
    if (!st || !st.schema?._zod || st.defaults === undefined) bad(`${id}: settings must be { schema, defaults } with a zod schema`);
    const res = z.safeParse(st!.schema as z.core.$ZodType, st!.defaults);
    if (!res.success) bad(`${id}: its default settings fail its own schema (${res.error.issues[0]?.path.join(".") || "(root)"}: ${res.error.issues[0]?.message})`);
  }
  if (o.examples !== undefined) checkExamples(o.examples, `${id}: examples`);
  return r as AnyRule;
}

function checkExamples(v: unknown, what: string): RuleExamples {
  const isRecord = (x: unknown) => !!x && typeof x === "object" && !Array.isArray(x);
  if (!isRecord(v)) throw new Error(`${what}: expected { "positive": [records], "negative": [records] }`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== "positive" && k !== "negative") throw new Error(`${what}: unknown key "${k}" (expected positive and negative)`);
  for (const k of ["positive", "negative"] as const) {
    if (o[k] === undefined) continue;
    if (!Array.isArray(o[k])) throw new Error(`${what}.${k}: expected a list of CloudTrail records`);
    const bad = (o[k] as unknown[]).findIndex((x) => !isRecord(x));
    if (bad >= 0) throw new Error(`${what}.${k}[${bad}]: expected a CloudTrail record (an object)`);
  }
  return { positive: (o.positive as Record<string, unknown>[] | undefined) ?? [], negative: (o.negative as Record<string, unknown>[] | undefined) ?? [] };
}

/** The examples of a rule: its own (`examples`) and those of `<file name>.tests.json` beside it. */
function attachExamples(l: LoadedRule): void {
  const own = l.rule.examples ? checkExamples(l.rule.examples, "examples") : undefined;
  const sibling = l.file.slice(0, -extname(l.file).length) + EXAMPLES_SUFFIX;
  let fromFile: RuleExamples | undefined;
  let exists = false;
  try {
    exists = statSync(sibling).isFile();
  } catch {
    exists = false;
  }
  if (exists) {
    const text = readBounded(sibling, RULES_FOLDER_LIMITS.examplesBytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${basename(sibling)}: not valid JSON (${(e as Error).message})`);
    }
    fromFile = checkExamples(json, basename(sibling));
    l.examplesFile = sibling;
  }
  if (own || fromFile) l.examples = { positive: [...(own?.positive ?? []), ...(fromFile?.positive ?? [])], negative: [...(own?.negative ?? []), ...(fromFile?.negative ?? [])] };
}
