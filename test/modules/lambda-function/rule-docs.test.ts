import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import * as ts from "typescript";
import { esbuildOptions } from "../../../modules/lambda-function/bundle";
import { RULE_FILE, ruleDocsPlugin, stripRuleDocs } from "../../../modules/lambda-function/rule-docs";
import { catalog } from "../../../functions/core/rules/catalog";
import { isThresholdRule } from "../../../functions/core/rules/threshold-rule";
import { loadExamples } from "../../core/rules/examples";
import { expandSequence, type Sequence } from "../../core/rules/sequences";

const CATALOG_DIR = join(__dirname, "../../../functions/core/rules/catalog");

const SAMPLE = `import { defineRule } from "../rule";
export default defineRule({
  id: "x.y",
  title: "A title, with a comma",
  severity: "high",
  description:
    "Long text, with {braces}, [brackets] and " +
    "a second line.",
  eventSources: ["x.amazonaws.com"],
  eventNames: ["Y"],
  match: (r) => /["'\\]]/.test(String(r.eventName)),
  summary: () => "x did y",
  status: "stable",
  falsePositives: ["one, with a comma", "two"],
  runbook: { triage: ["check who", "check where", "later, for people"], contain: ["contain", "then, for people"] },
  references: { mitre: ["T1562"], stratus: ["aws.a.b"], panther: ["P.Q"], sigma: ["S"], urls: ["https://example.com/a,b"] },
});
`;

describe("leaving rule documentation out of Lambda bundles", () => {
  it("removes description, false positives, status, the reference lists and the runbook steps only people read, and keeps the rest", () => {
    // Act
    const out = stripRuleDocs(SAMPLE);
    // Assess
    for (const gone of ["description", "Long text", "falsePositives", "status:", "panther", "sigma", "urls", "for people"]) expect(out).not.toContain(gone);
    for (const kept of ['id: "x.y"', 'title: "A title, with a comma"', "match: (r) => /[\"'\\]]/.test", 'runbook: { triage: ["check who", "check where"], contain: ["contain"] }', 'mitre: ["T1562"]', 'stratus: ["aws.a.b"]']) expect(out).toContain(kept);
    expect(ts.transpileModule(out, { reportDiagnostics: true }).diagnostics).toEqual([]);
    expect(stripRuleDocs("export const x = { description: 'not a rule' };")).toBe("export const x = { description: 'not a rule' };");
  });

  it("applies to every rule file, each still valid TypeScript without its documentation", () => {
    const guardOnly = join(CATALOG_DIR, "guard-only");
    const files = [CATALOG_DIR, guardOnly].flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".ts")).map((f) => join(d, f)));
    expect(files.every((f) => RULE_FILE.test(f))).toBe(true);
    expect(files.filter((f) => f.startsWith(guardOnly)).length).toBeGreaterThan(0);
    for (const f of files) {
      const out = stripRuleDocs(readFileSync(f, "utf8"), f);
      expect({ f, diagnostics: ts.transpileModule(out, { reportDiagnostics: true }).diagnostics }).toEqual({ f, diagnostics: [] });
      expect({ f, docs: /\n {2}(falsePositives|description):/.test(out) }).toEqual({ f, docs: false });
    }
  });

  it("changes nothing the deployed functions compute: every example gives the same alerts bundled with and without it", async () => {
    // Prepare: the catalog bundled as a Lambda is, with and without the rewrite.
    const dir = mkdtempSync(join(tmpdir(), "tw-rule-docs-"));
    try {
      const entry = join(__dirname, "fixtures", "catalog-probe.ts");
      const load = async (plugins: ReturnType<typeof ruleDocsPlugin>[], name: string) => {
        const res = await build({ ...esbuildOptions(entry), plugins });
        const file = join(dir, `${name}.js`);
        writeFileSync(file, res.outputFiles[0]!.contents);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return { mod: require(file) as { probe(r: Record<string, unknown>[]): Promise<unknown> }, bytes: res.outputFiles[0]!.contents.byteLength };
      };
      const plain = await load([], "plain");
      const stripped = await load([ruleDocsPlugin()], "stripped");
      const records = catalog.flatMap((r) => {
        const ex = loadExamples(r.id)!;
        return isThresholdRule(r) ? (ex.positive as unknown as Sequence[]).flatMap(expandSequence) : [...ex.positive, ...ex.negative];
      });
      // Act
      const [a, b] = [await plain.mod.probe(records), await stripped.mod.probe(records)];
      // Assess
      expect(b).toEqual(a);
      expect(JSON.stringify(a).length).toBeGreaterThan(100_000);
      expect(stripped.bytes).toBeLessThan(plain.bytes - 20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
