import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { missingRequiredField } from "../../../functions/core/record/schema";
import { PANTHER_DISAGREEMENTS } from "./panther-disagreements";

/** One labelled Panther test event (see test/fixtures/panther/NOTICE.md). */
interface PantherCase {
  rule_id: string;
  test_name: string;
  expected: boolean;
  event: Record<string, unknown>;
}

const SUBSET = join(__dirname, "../../fixtures/panther/panther_cloudtrail_tests.subset.jsonl");
const cases: PantherCase[] = readFileSync(SUBSET, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as PantherCase);

/** Our rules that claim to cover each Panther rule. */
const covering = new Map<string, string[]>();
for (const r of catalog) for (const p of r.references.panther ?? []) covering.set(p, [...(covering.get(p) ?? []), r.id]);

/** Whether our covering rules fire on the event, read the way a scan reads it. */
function ourVerdict(c: PantherCase): boolean {
  if (missingRequiredField(c.event) !== undefined) return false; // never reaches a rule
  const engine = new RuleEngine(catalog, { only: covering.get(c.rule_id) });
  const ev = engine.evaluate(c.event as { eventSource: string; eventName: string });
  if (engine.ruleErrors.size) throw new Error(`rule error on ${c.rule_id} / ${c.test_name}: ${JSON.stringify([...engine.ruleErrors])}`);
  return ev.kind === "findings" && ev.findings.length > 0;
}

const key = (ruleId: string, testName: string) => `${ruleId} / ${testName}`;
const listed = new Map(PANTHER_DISAGREEMENTS.map((d) => [key(d.rule_id, d.test_name), d]));

describe("conformance with Panther's test events for the Panther rules the catalog covers", () => {
  it("has the events of every covered Panther rule, and only those", () => {
    const inSubset = new Set(cases.map((c) => c.rule_id));
    expect([...covering.keys()].filter((p) => !inSubset.has(p)).sort()).toEqual([]);
    expect([...inSubset].filter((p) => !covering.has(p)).sort()).toEqual([]);
    expect(new Set(cases.map((c) => key(c.rule_id, c.test_name))).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [key(c.rule_id, c.test_name), c] as const))("%s", (k, c) => {
    // Act
    const ours = ourVerdict(c);
    // Assess: agree with Panther, or disagree exactly as reviewed.
    const d = listed.get(k);
    if (d) {
      expect({ stale: ours === c.expected, ours }).toEqual({ stale: false, ours: d.ours });
    } else {
      expect({ ours }).toEqual({ ours: c.expected });
    }
  });

  it("lists no disagreement for an event that is not in the subset", () => {
    const known = new Set(cases.map((c) => key(c.rule_id, c.test_name)));
    expect([...listed.keys()].filter((k) => !known.has(k))).toEqual([]);
    expect(PANTHER_DISAGREEMENTS.every((d) => d.reason.length > 40)).toBe(true);
  });
});
