import { loadRulesFolder } from "../../adapters/local/rules-folder";
import { catalog } from "../../core/rules/catalog";
import { testRuleExamples, type RuleTestResult } from "../../core/rules/rule-tests";
import { cell, paint, useColor } from "../terminal";

/** One rule file's outcome: its rule's results, or why it could not be loaded. */
export interface RuleFileOutcome {
  file: string;
  rule?: string;
  kind?: "typescript" | "sigma";
  result?: RuleTestResult;
  /** Why the file could not be loaded (then it counts as failed). */
  loadError?: string;
}

export interface TestRulesReport {
  dir: string;
  files: RuleFileOutcome[];
  rules: { passed: number; failed: number };
  examples: { passed: number; failed: number };
}

/**
 * `trailwatch test-rules DIR`: loads every rule of a rules folder and runs it over its examples (a
 * TypeScript rule's `examples`, and `<file name>.tests.json` beside any rule), like a test runner:
 * a line per rule, what failed and why, the counts, and exit status 1 when anything failed (a file
 * that cannot be loaded, a rule without a positive and a negative example, an example it got wrong)
 * or the folder holds no rule. The other rules are still tested when one fails.
 */
export function testRules(dir: string): TestRulesReport {
  const folder = loadRulesFolder(dir, { reservedIds: new Set(catalog.map((r) => r.id)), examples: true });
  const outcomes: RuleFileOutcome[] = [
    ...folder.problems.map((p) => ({ file: p.file, loadError: p.message })),
    ...folder.rules.map((l) => ({ file: l.name, rule: l.rule.id, kind: l.kind, result: testRuleExamples(l.rule, l.examples) })),
  ];
  const files = outcomes.sort((a, b) => a.file.localeCompare(b.file) || (a.rule ?? "").localeCompare(b.rule ?? ""));
  const report: TestRulesReport = { dir: folder.dir, files, rules: { passed: 0, failed: 0 }, examples: { passed: 0, failed: 0 } };
  for (const f of files) {
    const failed = f.loadError !== undefined || (f.result?.failures.length ?? 0) > 0;
    report.rules[failed ? "failed" : "passed"]++;
    if (f.result) {
      report.examples.passed += f.result.passed;
      report.examples.failed += f.result.failures.filter((x) => x.example !== "examples").length;
    }
  }
  return report;
}

/** The report for people, as a test runner prints it. */
export function formatTestRules(r: TestRulesReport, color = false): string {
  const lines: string[] = [];
  const pass = paint(" PASS ", "green", color);
  const fail = paint(" FAIL ", "boldRed", color);
  for (const f of r.files) {
    if (f.loadError !== undefined) {
      lines.push(`${fail} ${cell(f.file)}`, `       could not be loaded: ${cell(f.loadError)}`);
      continue;
    }
    const res = f.result!;
    const counts = `${res.positives} positive, ${res.negatives} negative`;
    lines.push(`${res.failures.length ? fail : pass} ${cell(f.rule)} (${cell(f.file)}, ${f.kind}): ${counts}`);
    for (const x of res.failures) lines.push(`       x ${cell(x.example)}: ${cell(x.message)}`);
  }
  const total = (c: { passed: number; failed: number }) => `${c.failed ? paint(`${c.failed} failed`, "boldRed", color) + ", " : ""}${c.passed} passed, ${c.passed + c.failed} total`;
  if (r.files.length === 0) lines.push(`No rules in ${cell(r.dir)} (TypeScript *.ts, Sigma *.yml / *.yaml)`);
  lines.push("", `Rules:    ${total(r.rules)}`, `Examples: ${total(r.examples)}`);
  return lines.join("\n") + "\n";
}

/** Runs the command: prints the report (table or JSON) and returns the exit status. */
export function runTestRules(dir: string, opts: { format?: "table" | "json" } = {}): number {
  const report = testRules(dir);
  if (opts.format === "json") process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(formatTestRules(report, useColor(process.stdout)));
  return report.files.length === 0 || report.rules.failed > 0 ? 1 : 0;
}
