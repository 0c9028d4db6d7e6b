import { resolve } from "node:path";
import { loadRulesFolder } from "../../functions/adapters/local/rules-folder";
import { catalog } from "../../functions/core/rules/catalog";
import { testRuleExamples } from "../../functions/core/rules/rule-tests";
import type { SigmaSpec } from "../../functions/core/rules/sigma/spec";
import type { CatalogRule } from "../../functions/core/rules/threshold-rule";
import { compileTuning, type CompiledTuning } from "../../functions/core/rules/tuning/compile";
import type { ConfigIssue } from "../../functions/core/rules/tuning/path";

/**
 * The `rules` section of a deployment, validated, with the rules of its folder: what the log
 * analyzer's bundle embeds (the section, the TypeScript rule files, the compiled Sigma rules) and
 * the settings the remediator and retro-hunt take from it.
 */
export interface DeploymentRules {
  /** The section as written, without `folder` (the log analyzer compiles it again at cold start). */
  section: Record<string, unknown>;
  /** The rules folder, absolute. */
  folder?: string;
  /** TypeScript rule files of the folder, absolute. */
  typescript: string[];
  /** Sigma rules of the folder, compiled. */
  sigma: SigmaSpec[];
  /** Rules switched off. */
  disabled: string[];
  /** Settings of catalog rules that differ from their defaults (shared settings merged in): `RULE_SETTINGS` of the remediator and retro-hunt. */
  catalogSettings: Record<string, unknown>;
}

/** No tuning and no rules of your own. */
export const NO_DEPLOYMENT_RULES: DeploymentRules = { section: {}, typescript: [], sigma: [], disabled: [], catalogSettings: {} };

/** True when the log analyzer needs a bundle of its own (a tuning or rules of your own). */
export function hasDeploymentRules(r: DeploymentRules | undefined): r is DeploymentRules {
  return !!r && (Object.keys(r.section).length > 0 || r.typescript.length > 0 || r.sigma.length > 0);
}

/**
 * Validates the `rules` section: reads the folder it names (relative to `baseDir`, the config
 * file's folder), refuses a rule file that cannot be used or whose examples fail (a rule is
 * deployed only once `trailwatch test-rules` would pass it), and compiles the tuning against the
 * catalog and those rules. Every problem has its path under `rules`.
 */
export function deploymentRules(raw: Record<string, unknown>, baseDir: string): { rules: DeploymentRules; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const { folder: folderText, ...section } = raw;
  const out: DeploymentRules = { section, typescript: [], sigma: [], disabled: [], catalogSettings: {} };
  const custom: CatalogRule[] = [];
  if (folderText !== undefined) {
    if (typeof folderText !== "string" || folderText.trim() === "") {
      issues.push({ path: ["rules", "folder"], message: "expected the path of a folder of rules, relative to the config file" });
    } else {
      const dir = resolve(baseDir, folderText);
      out.folder = dir;
      const f = loadRulesFolder(dir, { reservedIds: new Set(catalog.map((r) => r.id)), examples: true });
      for (const p of f.problems) issues.push({ path: ["rules", "folder"], message: `${p.file}: ${p.message}` });
      for (const l of f.rules) {
        const tested = testRuleExamples(l.rule, l.examples);
        for (const x of tested.failures) issues.push({ path: ["rules", "folder"], message: `${l.name}: rule "${l.rule.id}": ${x.example}: ${x.message} (trailwatch test-rules ${dir})` });
        custom.push(l.rule);
        if (l.spec) out.sigma.push(l.spec);
        else if (!out.typescript.includes(l.file)) out.typescript.push(l.file);
      }
    }
  }
  const { tuning, issues: tuningIssues } = compileTuning([...catalog, ...custom], section);
  issues.push(...tuningIssues);
  out.disabled = [...tuning.disabled].sort();
  out.catalogSettings = changedSettings(tuning);
  return { rules: out, issues };
}

/** Resolved settings of catalog rules that are not their defaults. */
function changedSettings(tuning: CompiledTuning): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of catalog) {
    if (!r.settings) continue;
    const s = tuning.settings.get(r.id);
    if (s !== undefined && JSON.stringify(s) !== JSON.stringify(r.settings.defaults)) out[r.id] = s;
  }
  return out;
}

/** The error for the `ruleSettings` key of earlier configs: what to write instead, converted. */
export function ruleSettingsMoved(ruleSettings: unknown): string {
  const converted =
    ruleSettings && typeof ruleSettings === "object" && !Array.isArray(ruleSettings)
      ? JSON.stringify({ rules: Object.fromEntries(Object.entries(ruleSettings).map(([id, s]) => [id, { settings: s }])) })
      : '{"rules": {"<rule id>": {"settings": {...}}}}';
  return (
    `replaced by "rules", which also switches rules off, sets severities and suppresses known-good activity: ` +
    `move each rule's settings under "settings", i.e. ${converted.length > 600 ? `${converted.slice(0, 600)}...` : converted}`
  );
}
