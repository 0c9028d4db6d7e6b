import { catalog } from "../../core/rules/catalog";
import type { AnyRule } from "../../core/rules/rule";
import { sigmaRule } from "../../core/rules/sigma/rule";
import type { SigmaSpec } from "../../core/rules/sigma/spec";
import { tunedRules } from "../../core/rules/tuning/apply";
import { compileTuning } from "../../core/rules/tuning/compile";
import { formatPath } from "../../core/rules/tuning/path";
import { EnvError } from "../shared/env";
import type { DeploymentRuleSet } from "./deployment-rules";

/** What the generated entry embeds: the rule modules of the rules folder, its Sigma rules compiled at synth, the `rules` section. */
export interface EmbeddedRules {
  modules: readonly unknown[];
  sigma: readonly SigmaSpec[];
  section: Record<string, unknown>;
}

/**
 * The rule set of a deployment from what its bundle embeds: the catalog, the TypeScript rules
 * (each module's default export, a rule or a list), the Sigma rules, and the tuning compiled for
 * them all. The tuning was validated at synth; a problem here (a bundle built by hand) fails the
 * cold start with every problem named.
 */
export function deploymentRuleSet(e: EmbeddedRules): DeploymentRuleSet {
  const own: AnyRule[] = [
    ...e.modules.flatMap((m) => {
      const x = (m as { default?: unknown }).default ?? m;
      return (Array.isArray(x) ? x : [x]) as AnyRule[];
    }),
    ...e.sigma.map(sigmaRule),
  ];
  const rules = [...catalog, ...own];
  const { tuning, issues } = compileTuning(rules, e.section);
  if (issues.length) throw new EnvError(`log-analyzer: the embedded rules tuning is not valid: ${issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; ")}`);
  return { rules, tune: () => tunedRules(rules, tuning) };
}
