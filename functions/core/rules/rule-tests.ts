import { missingRequiredField } from "../record/schema";
import { RuleEngine, toAlert } from "./engine";
import type { AnyRule } from "./rule";

/** One example a rule got wrong. */
export interface ExampleFailure {
  /** e.g. `positive #2 ConsoleLogin`. */
  example: string;
  message: string;
}

/** How a rule did on its examples. */
export interface RuleTestResult {
  rule: string;
  positives: number;
  negatives: number;
  passed: number;
  failures: ExampleFailure[];
}

const label = (kind: string, r: Record<string, unknown>, i: number) =>
  `${kind} #${i + 1} ${typeof r.eventName === "string" ? r.eventName.slice(0, 64) : "(no eventName)"}${typeof r.errorCode === "string" ? ` (${r.errorCode.slice(0, 64)})` : ""}`;

/**
 * Runs a rule over its examples the way a scan does (the structural check, the engine's index and
 * validation, then the rule alone): it must fire on every positive, with a summary and context that
 * do not fail, and stay quiet on every negative. A rule needs at least one of each.
 */
export function testRuleExamples(rule: AnyRule, examples: { positive: readonly Record<string, unknown>[]; negative: readonly Record<string, unknown>[] } | undefined): RuleTestResult {
  const positive = examples?.positive ?? [];
  const negative = examples?.negative ?? [];
  const result: RuleTestResult = { rule: rule.id, positives: positive.length, negatives: negative.length, passed: 0, failures: [] };
  if (positive.length === 0 || negative.length === 0) {
    result.failures.push({
      example: "examples",
      message: `needs at least one positive and one negative example (has ${positive.length} and ${negative.length}): records it must fire on and near misses it must not`,
    });
  }
  const engine = new RuleEngine([rule]);
  const run = (kind: "positive" | "negative", record: Record<string, unknown>, i: number) => {
    const example = label(kind, record, i);
    const fail = (message: string) => result.failures.push({ example, message });
    const missing = missingRequiredField(record);
    if (missing) return fail(`not a CloudTrail record: ${missing}`);
    const errorsBefore = engine.ruleErrors.get(rule.id)?.count ?? 0;
    const ev = engine.evaluate(record as { eventSource: string; eventName: string });
    if (ev.kind === "invalid") return fail(`not a valid CloudTrail record: ${ev.reason}`);
    const err = engine.ruleErrors.get(rule.id);
    if (err && err.count > errorsBefore) return fail(`the rule threw: ${err.first}`);
    const finding = ev.findings.find((f) => f.rule.id === rule.id);
    if (kind === "negative") {
      if (finding) return fail(`fired, but must not: ${toAlert(finding).summary}`);
      result.passed++;
      return;
    }
    if (!finding) return fail(record.errorCode !== undefined && !rule.includeFailedCalls ? "did not fire (a failed call: the rule sees failed calls only with includeFailedCalls)" : "did not fire");
    const alert = toAlert(finding);
    if (/\(the rule's summary failed: /.test(alert.summary)) return fail(`fired, but its summary failed: ${alert.summary}`);
    if (typeof alert.context.contextError === "string") return fail(`fired, but ${alert.context.contextError}`);
    result.passed++;
  };
  positive.forEach((r, i) => run("positive", r, i));
  negative.forEach((r, i) => run("negative", r, i));
  return result;
}
