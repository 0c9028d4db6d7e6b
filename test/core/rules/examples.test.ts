import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { missingRequiredField } from "../../../functions/core/record/schema";
import { exampleIds, examplesPath, loadExamples } from "./examples";

/** Fields every example must carry, so examples look like what CloudTrail really writes. */
const RECORD_FIELDS = ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "eventID", "eventType", "recipientAccountId"];

/** Runs one raw record the way a scan does: the cheap structural check, then the engine. */
function firedRules(engine: RuleEngine, record: Record<string, unknown>): string[] {
  const missing = missingRequiredField(record);
  if (missing) throw new Error(`example is not a CloudTrail record: ${missing}`);
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  if (ev.kind === "invalid") throw new Error(`example fails record validation: ${ev.reason}`);
  return ev.findings.map((f) => f.rule.id);
}

/** A failed call: an errorCode, or a console sign-in whose outcome is "Failure" (those carry no errorCode). */
function isFailed(r: Record<string, unknown>): boolean {
  if (typeof r.errorCode === "string") return true;
  const re = r.responseElements;
  return !!re && typeof re === "object" && Object.values(re).includes("Failure");
}

const label = (r: Record<string, unknown>, i: number) =>
  `#${i} ${String(r.eventName)}${r.errorCode ? ` (${String(r.errorCode)})` : ""}`;

describe("rule examples (test/fixtures/rules/<rule-id>.json)", () => {
  it("has an example file for every rule and no file without a rule", () => {
    // Prepare
    const ids = catalog.map((r) => r.id).sort();
    // Assess
    expect(ids.filter((id) => !loadExamples(id)).map(examplesPath)).toEqual([]);
    expect(exampleIds().filter((id) => !ids.includes(id))).toEqual([]);
  });

  describe.each(catalog.map((r) => [r.id, r] as const))("%s", (id, rule) => {
    const examples = loadExamples(id) ?? { positive: [], negative: [] };
    // Only this rule, through the engine, so the eventSource/eventName index is exercised too.
    const engine = new RuleEngine(catalog, { only: [id] });

    it("has at least two positives and two negatives, and a failed call among the negatives", () => {
      expect(examples.positive.length).toBeGreaterThanOrEqual(2);
      expect(examples.negative.length).toBeGreaterThanOrEqual(2);
      // Rules that report failed calls on purpose show their near miss differently.
      if (!rule.includeFailedCalls) expect(examples.negative.some(isFailed)).toBe(true);
    });

    it("uses full CloudTrail records", () => {
      const incomplete = [...examples.positive, ...examples.negative]
        .map((r, i) => ({ i, missing: RECORD_FIELDS.filter((f) => !(f in r)) }))
        .filter((x) => x.missing.length > 0);
      expect(incomplete).toEqual([]);
    });

    it.each(examples.positive.map((r, i) => [label(r, i), r] as const))("fires on positive %s", (_l, record) => {
      // Act
      const fired = firedRules(engine, record);
      // Assess
      expect(fired).toEqual([id]);
      expect(engine.ruleErrors.size).toBe(0);
    });

    it.each(examples.negative.map((r, i) => [label(r, i), r] as const))("stays quiet on negative %s", (_l, record) => {
      expect(firedRules(engine, record)).toEqual([]);
      expect(engine.ruleErrors.size).toBe(0);
    });
  });
});
