import { catalog } from "../../core/rules/catalog";
import type { AnyRule } from "../../core/rules/rule";
import type { SigmaSpec } from "../../core/rules/sigma/spec";
import { tunedRules } from "../../core/rules/tuning/apply";
import { tuningFromData, type TuningData } from "../../core/rules/tuning/data";
import { RuleConfigError, RuleEngine } from "../../core/rules/engine";
import { EnvError } from "../shared/env";
import type { DeploymentRuleSet } from "./deployment-rules";

/** What the generated entry embeds: the rule modules of the rules folder, its Sigma rules and the tuning, both compiled at synth. */
export interface EmbeddedRules {
  modules: readonly unknown[];
  sigma: readonly SigmaSpec[];
  /** `sigmaRule`, imported by the entry only when there are Sigma rules (the evaluator stays out of other bundles). */
  sigmaRule?: (spec: SigmaSpec) => AnyRule;
  tuning: TuningData;
  /** The function whose bundle embeds them (named in the error when they cannot be used). */
  service?: string;
}

/**
 * The rule set of a deployment from what its bundle embeds: the catalog, the TypeScript rules
 * (each module's default export, a rule or a list), the Sigma rules, and the tuning validated at
 * synth. Rule settings are checked by the engine at every use, as always (a bad one fails the cold
 * start, naming the rule and the setting).
 */
export function deploymentRuleSet(e: EmbeddedRules): DeploymentRuleSet {
  const own: AnyRule[] = [
    ...e.modules.flatMap((m) => {
      const x = (m as { default?: unknown }).default ?? m;
      return (Array.isArray(x) ? x : [x]) as AnyRule[];
    }),
    ...e.sigma.map((spec) => e.sigmaRule!(spec)),
  ];
  const rules = [...catalog, ...own];
  const tuning = tuningFromData(rules, e.tuning);
  // The settings are checked once here, so a bad one fails the cold start rather than every object.
  try {
    const t = tunedRules(rules, tuning);
    new RuleEngine(t.rules, { settings: t.settings });
  } catch (err) {
    if (err instanceof RuleConfigError) throw new EnvError(`${e.service ?? "log-analyzer"}: the rules its bundle embeds: ${err.message}`);
    throw err;
  }
  return { rules, tune: (opts) => tunedRules(rules, tuning, opts) };
}
