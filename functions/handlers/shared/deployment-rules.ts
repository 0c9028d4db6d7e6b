import type { TunedRules, TuneOptions } from "../../core/rules/tuning/apply";
import type { CatalogRule } from "../../core/rules/threshold-rule";

/** The rules a deployment's functions run (the log analyzer, the retro-hunt scan): the catalog and your own, and how they are tuned. */
export interface DeploymentRuleSet {
  rules: readonly CatalogRule[];
  /** The tuned rules for one log object or batch (see `tunedRules`). */
  tune?: (opts?: TuneOptions) => TunedRules;
}

let provider: (() => DeploymentRuleSet) | undefined;

/**
 * Called by the entry `npm run synth` generates when the deployment has a `rules` section or a rules
 * folder (modules/platform/rules-entry.ts): the bundle then embeds the tuning and the rules, and
 * the handler takes them from here at cold start. Without it the catalog runs as it is. Kept tiny:
 * the code that compiles a tuning and Sigma rules is only in the bundles of deployments that have them.
 */
export function provideDeploymentRules(p: (() => DeploymentRuleSet) | undefined): void {
  provider = p;
}

/** The provided rule set, built on first use (a bad embedded tuning fails the cold start, saying why). */
export function providedDeploymentRules(): DeploymentRuleSet | undefined {
  return provider?.();
}
