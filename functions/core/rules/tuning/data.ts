import type { Severity } from "../../alert/alert";
import type { CatalogRule } from "../threshold-rule";
import type { CompiledTuning } from "./compile";
import { suppressionMatcher, SuppressionRun, type Suppression } from "./suppression";

/**
 * A compiled tuning as plain data: what `npm run synth` embeds in the log analyzer, once the config
 * is validated, so the function builds its tuning without the validator and its messages (a few
 * KB of every cold start). Rule settings go as given (shared ones merged in) and are checked by
 * each rule's schema in the engine, as always.
 */
export interface TuningData {
  disabled: string[];
  severity: Record<string, Severity>;
  settings: Record<string, Record<string, unknown>>;
  suppressions: Record<string, (Omit<Suppression, "matches" | "rule">)[]>;
}

/** The data of a compiled tuning. */
export function tuningData(t: CompiledTuning): TuningData {
  return {
    disabled: [...t.disabled].sort(),
    severity: Object.fromEntries(t.severity),
    settings: Object.fromEntries(t.givenSettings),
    suppressions: Object.fromEntries([...t.suppressions].map(([id, list]) => [id, list.map(({ matches: _m, rule: _r, ...s }) => s)])),
  };
}

/** The tuning of embedded data, for the rules it was made for. */
export function tuningFromData(rules: readonly CatalogRule[], d: TuningData): CompiledTuning {
  const suppressions = new Map(
    Object.entries(d.suppressions).map(([rule, list]) => [rule, list.map((s) => ({ ...s, rule, matches: suppressionMatcher(s.conditions) }))]),
  );
  return {
    ruleIds: new Set(rules.map((r) => r.id)),
    disabled: new Set(d.disabled),
    severity: new Map(Object.entries(d.severity)),
    settings: new Map(Object.entries(d.settings)),
    givenSettings: new Map(Object.entries(d.settings)),
    suppressions,
    suppressionRun: (now) => (suppressions.size > 0 ? new SuppressionRun(suppressions, now) : undefined),
  };
}
