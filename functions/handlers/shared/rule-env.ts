import type { CatalogRule } from "../../core/rules/threshold-rule";
import { RuleConfigError, RuleEngine } from "../../core/rules/engine";
import type { RemediationMode } from "../../core/remediation/permissions";
import { EnvError } from "./env";

/**
 * Checks `RULE_SETTINGS` (each rule's own schema, through the engine) and `REMEDIATION` (only rules
 * that exist and have a remediation) at cold start, so a bad deployment fails with every problem
 * named instead of misbehaving on the first matching event.
 *
 * With `part: true`, `catalog` is a part of the catalog (the remediator's remediable rules): settings
 * of other rules are not this function's to check (the log analyzer, with the whole catalog, checks
 * the same variables), and REMEDIATION may only name rules of the part.
 */
export function checkRuleEnvironment(
  service: string,
  catalog: readonly CatalogRule[],
  ruleSettings: Record<string, unknown> | undefined,
  remediation: Record<string, RemediationMode>,
  opts: { part?: boolean } = {},
): void {
  try {
    new RuleEngine(catalog, { settings: opts.part ? settingsOf(catalog, ruleSettings) : ruleSettings });
  } catch (err) {
    if (err instanceof RuleConfigError) throw new EnvError(`${service}: invalid environment: RULE_SETTINGS: ${err.message}`);
    throw err;
  }
  const byId = new Map(catalog.map((r) => [r.id, r]));
  const problems: string[] = [];
  for (const [id, mode] of Object.entries(remediation)) {
    const rule = byId.get(id);
    if (!rule) problems.push(opts.part ? `REMEDIATION.${id}: not one of the rules with a remediation (${catalog.map((r) => r.id).join(", ")})` : `REMEDIATION.${id}: no such rule`);
    else if (!rule.remediation && mode !== "off") problems.push(`REMEDIATION.${id}: the rule has no remediation`);
  }
  if (problems.length) throw new EnvError(`${service}: invalid environment: ${problems.join("; ")}`);
}

/** The settings of the given rules only. */
export function settingsOf(rules: readonly CatalogRule[], ruleSettings: Record<string, unknown> | undefined): Record<string, unknown> {
  const ids = new Set(rules.map((r) => r.id));
  return Object.fromEntries(Object.entries(ruleSettings ?? {}).filter(([id]) => ids.has(id)));
}
