import { alertsOn, coveringRules, pantherCases, type PantherCase } from "./panther";
import { PANTHER_DISAGREEMENTS } from "./panther-disagreements";

const covering = coveringRules();
/** The test events of the Panther rules the catalog claims to cover (`references.panther`). */
const cases: PantherCase[] = pantherCases().filter((c) => covering.has(c.rule_id));

/** Whether our covering rules alert on the event, read the way a scan reads it (see `alertsOn`). */
async function ourVerdict(c: PantherCase): Promise<boolean> {
  const ids = covering.get(c.rule_id)!;
  const { alerts, ruleErrors } = await alertsOn(c.event, ids);
  if (ruleErrors.length) throw new Error(`rule error on ${c.rule_id} / ${c.test_name}: ${JSON.stringify(ruleErrors)}`);
  return alerts.some((a) => ids.includes(a.rule));
}

const key = (ruleId: string, testName: string) => `${ruleId} / ${testName}`;
const listed = new Map(PANTHER_DISAGREEMENTS.map((d) => [key(d.rule_id, d.test_name), d]));

describe("conformance with Panther's test events for the Panther rules the catalog covers", () => {
  it("names only Panther rules that exist in the corpus, and its test names are unique", () => {
    const inCorpus = new Set(pantherCases().map((c) => c.rule_id));
    expect([...covering.keys()].filter((p) => !inCorpus.has(p)).sort()).toEqual([]);
    expect(new Set(cases.map((c) => key(c.rule_id, c.test_name))).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [key(c.rule_id, c.test_name), c] as const))("%s", async (k, c) => {
    // Act
    const ours = await ourVerdict(c);
    // Assess: agree with Panther, or disagree exactly as reviewed.
    const d = listed.get(k);
    if (d) {
      expect({ stale: ours === c.expected, ours }).toEqual({ stale: false, ours: d.ours });
    } else {
      expect({ ours }).toEqual({ ours: c.expected });
    }
  });

  it("lists no disagreement for an event of a Panther rule the catalog does not cover", () => {
    const known = new Set(cases.map((c) => key(c.rule_id, c.test_name)));
    expect([...listed.keys()].filter((k) => !known.has(k))).toEqual([]);
    expect(PANTHER_DISAGREEMENTS.every((d) => d.reason.length > 40)).toBe(true);
  });
});
