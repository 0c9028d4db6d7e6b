import * as z from "zod";
import { baseShape, checkBase, type BaseConfig } from "./base-schema";
import { deploymentRules } from "./rules";
import { SECTIONS, TOP_LEVEL_ONLY, type SectionKey } from "./sections";

/** The whole deployment config after validation and defaults. */
export type DeploymentConfig = BaseConfig & { [K in SectionKey]?: z.output<(typeof SECTIONS)[K]["schema"]> };

/** One problem in a config: where (path) and what to do (message). */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

export type ValidationResult = { ok: true; config: DeploymentConfig } | { ok: false; issues: ConfigIssue[] };

const sectionKeys = Object.keys(SECTIONS) as SectionKey[];

/**
 * The top level of the deployment config (capability sections are accepted here as opaque values
 * and validated by `validateDeploymentConfig` with their own schemas).
 */
export const baseConfigSchema = z
  .strictObject({
    ...baseShape,
    ...(Object.fromEntries(sectionKeys.map((k) => [k, z.unknown().optional()])) as Record<SectionKey, z.ZodOptional<z.ZodUnknown>>),
  })
  .superRefine((cfg, ctx) => checkBase(cfg as unknown as BaseConfig, ctx));

/**
 * Validates the one deployment config and applies defaults. The top level is checked by
 * `baseConfigSchema`; each capability section present is checked by its own schema (from
 * `modules/<capability>/config.ts`) after inheriting what the top level already says (bucket,
 * regions, remediation, ...). Every issue is returned, each with its full path
 * (e.g. `logAnalyzer.batchSize`), so one run shows everything to fix.
 */
export function validateDeploymentConfig(raw: unknown, opts: { baseDir?: string } = {}): ValidationResult {
  const issues: ConfigIssue[] = [];
  const base = baseConfigSchema.safeParse(raw);
  if (!base.success) issues.push(...base.error.issues.map((i) => ({ path: i.path as (string | number)[], message: message(i) })));
  let top = base.success ? (base.data as unknown as BaseConfig) : bestEffortTop(raw);

  const out: Record<string, unknown> = base.success ? { ...base.data } : {};
  const given = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  // The rules section, with the rules of its folder (the tuning may name them): after the schema.
  const rawRules = given.rules === undefined ? {} : given.rules;
  if (rawRules && typeof rawRules === "object" && !Array.isArray(rawRules)) {
    const r = deploymentRules(rawRules as Record<string, unknown>, opts.baseDir ?? process.cwd());
    issues.push(...r.issues);
    out.rules = r.rules;
    delete out.ruleSettings;
    if (top) top = { ...top, rules: r.rules };
    for (const id of r.rules.disabled) {
      const mode = top?.remediation?.[id];
      if (mode && mode !== "off") issues.push({ path: ["remediation", id], message: `is "${mode}" but the rule is switched off (rules["${id}"].enabled: false); set it to "off" or switch the rule on` });
    }
  }
  for (const key of sectionKeys) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      issues.push({ path: [key], message: 'expected an object such as { "enabled": true, ... } or { "enabled": false }' });
      continue;
    }
    const section = SECTIONS[key];
    const fields = value as Record<string, unknown>;
    const misplaced = TOP_LEVEL_ONLY.filter((f) => f in fields);
    for (const f of misplaced) issues.push({ path: [key, f], message: `set ${f} once at the top level ("${f}"), where it applies to every capability` });
    if (misplaced.length > 0) continue;

    let inherited: Record<string, unknown> = {};
    if (fields.enabled === true && section.inherit) {
      if (!top) continue; // the top level is too broken to inherit from; its issues come first
      try {
        inherited = section.inherit(top);
      } catch {
        continue;
      }
    }
    const res = section.schema.safeParse({ ...dropUndefined(inherited), ...fields });
    if (res.success) out[key] = res.data;
    else issues.push(...res.error.issues.map((i) => ({ path: [key, ...(i.path as (string | number)[])], message: message(i) })));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: out as DeploymentConfig };
}

/** Whether a capability section is present and enabled; narrows to its settings. */
export function enabled<K extends SectionKey>(cfg: DeploymentConfig, key: K): Extract<NonNullable<DeploymentConfig[K]>, { enabled: true }> | undefined {
  const s = cfg[key] as { enabled?: boolean } | undefined;
  return s?.enabled === true ? (s as Extract<NonNullable<DeploymentConfig[K]>, { enabled: true }>) : undefined;
}

/** The top-level fields that are valid on their own, so sections can still be checked when others are not. */
function bestEffortTop(raw: unknown): BaseConfig | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  const top: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(baseShape)) {
    const res = (schema as z.ZodType).safeParse(r[k]);
    if (res.success) top[k] = res.data;
  }
  return top.deployment ? (top as unknown as BaseConfig) : undefined;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** zod's message, reworded where it does not say what to do. */
function message(i: z.core.$ZodIssue): string {
  if (i.code === "unrecognized_keys") return `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}: check the spelling`;
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(i.message);
  if (missing) return `required: expected ${missing[1]}`;
  return i.message;
}
