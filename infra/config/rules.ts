import { resolve } from "node:path";
import { loadRulesFolder } from "../../functions/adapters/local/rules-folder";
import { catalog } from "../../functions/core/rules/catalog";
import { testRuleExamples } from "../../functions/core/rules/rule-tests";
import type { CatalogRule } from "../../functions/core/rules/threshold-rule";
import { compileTuning, type CompiledTuning } from "../../functions/core/rules/tuning/compile";
import { tuningData } from "../../functions/core/rules/tuning/data";
import type { ConfigIssue } from "../../functions/core/rules/tuning/path";
import type { DeploymentRules } from "../../modules/platform/rules-entry";

export type { DeploymentRules };

/** No tuning. */
const EMPTY_TUNING = { disabled: [], severity: {}, settings: {}, suppressions: {} };

/**
 * Validates the `rules` section: reads the folder it names (relative to `baseDir`, the config
 * file's folder), refuses a rule file that cannot be used or whose examples fail (a rule is
 * deployed only once `trailwatch test-rules` would pass it), and compiles the tuning against the
 * catalog and those rules. Every problem has its path under `rules`.
 */
export function deploymentRules(raw: Record<string, unknown>, baseDir: string): { rules: DeploymentRules; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const { folder: folderText, ...section } = raw;
  const out: DeploymentRules = { tuning: EMPTY_TUNING, typescript: [], sigma: [], disabled: [], catalogSettings: {}, ownRuleIds: [] };
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
  out.tuning = tuningData(tuning);
  out.disabled = [...tuning.disabled].sort();
  out.catalogSettings = changedSettings(tuning);
  out.ownRuleIds = custom.map((r) => r.id).sort();
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
      ? JSON.stringify({ rules: Object.fromEntries(Object.entries(ruleSettings as Record<string, unknown>).map(([id, s]) => [id, { settings: s }])) })
      : '{"rules": {"<rule id>": {"settings": {...}}}}';
  return (
    `replaced by "rules", which also switches rules off, sets severities and suppresses known-good activity: ` +
    `move each rule's settings under "settings", i.e. ${converted.length > 600 ? `${converted.slice(0, 600)}...` : converted}`
  );
}
