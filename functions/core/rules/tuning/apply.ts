import type { Severity } from "../../alert/alert";
import { RuleConfigError } from "../engine";
import { firstMatchingPattern } from "../helpers";
import type { AnyRule } from "../rule";
import { isRawThresholdRule, type CatalogRule, type ThresholdSettings } from "../threshold-rule";
import type { CompiledTuning } from "./compile";
import type { SuppressionRun } from "./suppression";

/** The rules a tuning leaves to run, what the engine takes, and the suppressions that count for them. */
export interface TunedRules {
  /** The rules switched on, severities set, suppressions applied; hand them to `RuleEngine`. */
  rules: CatalogRule[];
  /** Resolved settings (defaults, shared settings, the rule's own) of the rules that have settings: the engine's `settings`. */
  settings: Record<string, unknown>;
  /** What the suppressions kept back in this run (undefined when there are none): give it to `scanLogs`. */
  suppressions?: SuppressionRun;
}

export interface TuneOptions {
  /** Only these rule ids (a rule switched off by the tuning cannot be asked for). */
  only?: readonly string[];
  /** Clock of suppression expiry, epoch ms (default: the system clock; never the event time, which a record chooses). */
  now?: () => number;
}

/**
 * Applies a compiled tuning to the rules it was compiled for, for one run (a scan, one log object):
 * rules switched off are left out, a set severity replaces the rule's own (its per-record severity
 * too), and a rule with suppressions is wrapped so that a match a suppression applies to is not a
 * match, counted by the run. Suppressions act after `match` (threshold rules: before counting, so a
 * known scanner never makes a burst). The engine itself knows nothing of tuning.
 */
export function tunedRules(rules: readonly CatalogRule[], tuning: CompiledTuning, opts: TuneOptions = {}): TunedRules {
  if (tuning.ruleIds.size !== rules.length || rules.some((r) => !tuning.ruleIds.has(r.id))) {
    throw new RuleConfigError("the tuning was compiled for another list of rules (compile it for the rules the engine runs)");
  }
  const off = (opts.only ?? []).filter((id) => tuning.disabled.has(id));
  if (off.length) throw new RuleConfigError(`${off.map((id) => `"${id}"`).join(", ")} ${off.length > 1 ? "are" : "is"} switched off (enabled: false in the rules settings); switch ${off.length > 1 ? "them" : "it"} on to run ${off.length > 1 ? "them" : "it"}`);
  const run = tuning.suppressionRun(opts.now ?? Date.now);
  const kept = rules.filter((r) => !tuning.disabled.has(r.id));
  const settings: Record<string, unknown> = {};
  for (const r of kept) if (r.settings && tuning.settings.has(r.id)) settings[r.id] = tuning.settings.get(r.id);
  return {
    rules: kept.map((r) => suppressed(withSeverity(r, tuning.severity.get(r.id)), run)),
    settings,
    ...(run ? { suppressions: run } : {}),
  };
}

/** The rule with every alert at `severity`. */
function withSeverity(rule: CatalogRule, severity: Severity | undefined): CatalogRule {
  if (!severity) return rule;
  return { ...rule, severity, severityFor: undefined } as CatalogRule;
}

/** The rule with its suppressions applied after it matched (or observed, for threshold rules reading raw records). */
function suppressed(rule: CatalogRule, run: SuppressionRun | undefined): CatalogRule {
  if (!run?.covers(rule.id)) return rule;
  if (isRawThresholdRule(rule)) {
    const observe = rule.observeRaw.bind(rule);
    return {
      ...rule,
      observeRaw: (raw, settings: ThresholdSettings) => {
        const o = observe(raw, settings);
        // A group the rule's own ignorePrincipals leave out is not a suppressed match.
        if (!o || (settings.ignorePrincipals.length > 0 && firstMatchingPattern(settings.ignorePrincipals, o.group) !== undefined)) return o;
        return run.suppressed(rule.id, raw) ? undefined : o;
      },
    };
  }
  // Single-event rules and threshold rules reading validated records: after `match` (for the latter a
  // suppressed event is counted as suppressed even when the rule's ignorePrincipals would skip its group).
  const r = rule as AnyRule;
  const match = r.match.bind(r);
  const wrapped = { ...r, match: (record: Parameters<AnyRule["match"]>[0], ctx: Parameters<AnyRule["match"]>[1]) => {
    const m: unknown = match(record, ctx);
    if (m === false || m === null || m === undefined) return m;
    return run.suppressed(rule.id, record, ctx.principal) ? false : m;
  } };
  return wrapped as CatalogRule;
}
