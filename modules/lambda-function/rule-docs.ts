/**
 * Leaves the documentation of rules out of Lambda bundles. Every rule carries, besides its logic, the
 * prose people read in `trailwatch rules` and `docs/rules.md`: `description`, `falsePositives`,
 * `status`, the reference lists `urls`, `sigma` and `panther`, and the runbook's later steps. No
 * deployed function reads them (an alert carries the title, the ATT&CK and Stratus ids and the
 * runbook's first steps, `alertGuidance`, which stay), and with the catalog growing they would be the
 * largest part of the log analyzer. The rewrite removes exactly those properties from the object
 * literal given to `defineRule(...)` / `defineThresholdRule(...)` (and from its `references`), and
 * the steps of its `runbook` after the ones alerts carry, found with the TypeScript parser, so the
 * result means the same to every deployed caller (`test/modules/lambda-function/rule-docs.test.ts`
 * runs every rule example through the catalog bundled with and without it).
 */
import { readFile } from "node:fs/promises";
import type { Plugin } from "esbuild";
import type * as TS from "typescript";
import { CONTAIN_STEPS, TRIAGE_STEPS } from "../../functions/core/rules/guidance";

/** Rule files: the catalog, and the rules of one function only (`catalog/guard-only/`). */
export const RULE_FILE = /[\\/]functions[\\/]core[\\/]rules[\\/]catalog(?:[\\/]guard-only)?[\\/][^\\/]+\.ts$/;

/** Top-level properties of a rule that only people read. */
export const DOC_PROPERTIES = new Set(["description", "falsePositives", "status"]);
/** Properties of `references` that only people and tests read. */
export const DOC_REFERENCES = new Set(["urls", "sigma", "panther"]);

/** Steps of each runbook list that alerts carry (see `alertGuidance`); later steps are for people. */
export const CARRIED_STEPS: Readonly<Record<string, number>> = { triage: TRIAGE_STEPS, contain: CONTAIN_STEPS };

const DEFINERS = new Set(["defineRule", "defineThresholdRule", "sharedOutsideRule"]);

let ts: typeof TS | undefined;

function propertyName(p: TS.ObjectLiteralElementLike): string | undefined {
  if (!ts!.isPropertyAssignment(p)) return undefined;
  const n = p.name;
  return ts!.isIdentifier(n) || ts!.isStringLiteral(n) ? n.text : undefined;
}

/** Text ranges of the properties to drop from an object literal (each with its trailing comma). */
function dropRanges(obj: TS.ObjectLiteralExpression, names: Set<string>, source: string): [number, number][] {
  const out: [number, number][] = [];
  for (const p of obj.properties) {
    const name = propertyName(p);
    if (name === undefined || !names.has(name)) continue;
    let end = p.getEnd();
    const comma = /^\s*,/.exec(source.slice(end));
    if (comma) end += comma[0].length;
    out.push([p.getStart(), end]);
  }
  return out;
}

/**
 * Text ranges of the runbook steps after those alerts carry: from the end of the last carried step to
 * the end of the list's last element. A list with a spread element is left whole (its steps cannot be
 * counted from the source).
 */
function laterStepRanges(runbook: TS.ObjectLiteralExpression): [number, number][] {
  const out: [number, number][] = [];
  for (const p of runbook.properties) {
    const name = propertyName(p);
    const keep = name === undefined ? undefined : CARRIED_STEPS[name];
    if (keep === undefined || !ts!.isPropertyAssignment(p) || !ts!.isArrayLiteralExpression(p.initializer)) continue;
    const steps = p.initializer.elements;
    if (steps.length <= keep || steps.some((e) => ts!.isSpreadElement(e))) continue;
    const start = keep === 0 ? p.initializer.elements.pos : steps[keep - 1]!.getEnd();
    out.push([start, steps[steps.length - 1]!.getEnd()]);
  }
  return out;
}

/** The source of a rule file without its documentation properties (unchanged when it defines no rule). */
export function stripRuleDocs(source: string, fileName = "rule.ts"): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ts ??= require("typescript") as typeof TS;
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const ranges: [number, number][] = [];
  const visit = (node: TS.Node): void => {
    if (ts!.isCallExpression(node) && ts!.isIdentifier(node.expression) && DEFINERS.has(node.expression.text)) {
      const arg = node.arguments[0];
      if (arg && ts!.isObjectLiteralExpression(arg)) {
        ranges.push(...dropRanges(arg, DOC_PROPERTIES, source));
        for (const p of arg.properties) {
          if (propertyName(p) === "references" && ts!.isPropertyAssignment(p) && ts!.isObjectLiteralExpression(p.initializer)) {
            ranges.push(...dropRanges(p.initializer, DOC_REFERENCES, source));
          }
          if (propertyName(p) === "runbook" && ts!.isPropertyAssignment(p) && ts!.isObjectLiteralExpression(p.initializer)) {
            ranges.push(...laterStepRanges(p.initializer));
          }
        }
      }
    }
    ts!.forEachChild(node, visit);
  };
  visit(sf);
  if (ranges.length === 0) return source;
  ranges.sort((a, b) => b[0] - a[0]);
  let out = source;
  for (const [start, end] of ranges) out = out.slice(0, start) + out.slice(end);
  return out;
}

/** The esbuild plugin applying {@link stripRuleDocs} to rule files (Lambda bundles only). */
export function ruleDocsPlugin(): Plugin {
  return {
    name: "trailwatch-rule-docs",
    setup(build) {
      build.onLoad({ filter: RULE_FILE }, async (args) => ({
        contents: stripRuleDocs(await readFile(args.path, "utf8"), args.path),
        loader: "ts",
      }));
    },
  };
}
