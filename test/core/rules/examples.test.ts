import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { isThresholdRule } from "../../../functions/core/rules/threshold-rule";
import { missingRequiredField } from "../../../functions/core/record/schema";
import { exampleIds, examplesPath, loadExamples } from "./examples";
import { isSequence, runSequence, type Sequence } from "./sequences";

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

  describe.each(catalog.filter((r) => !isThresholdRule(r)).map((r) => [r.id, r] as const))("%s", (id, rule) => {
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

/** The ways a sequence is fed to the scan: one file, one file per event, one file per event in reverse (late files). */
const FEEDS = [
  { batches: "one", order: "given" },
  { batches: "each", order: "given" },
  { batches: "each", order: "reversed" },
] as const;

describe("threshold rule examples (sequences of events in test/fixtures/rules/<rule-id>.json)", () => {
  describe.each(catalog.filter(isThresholdRule).map((r) => [r.id, r] as const))("%s", (id) => {
    const examples = loadExamples(id) ?? { positive: [], negative: [] };
    const positive = examples.positive as unknown as Sequence[];
    const negative = examples.negative as unknown as Sequence[];

    it("has at least two positive and three negative sequences of full CloudTrail records", () => {
      expect([...positive, ...negative].every(isSequence)).toBe(true);
      expect(positive.length).toBeGreaterThanOrEqual(2);
      expect(negative.length).toBeGreaterThanOrEqual(3);
      const incomplete = [...positive, ...negative].flatMap((q) => q.steps.map((st, i) => ({ q: q.name, i, missing: RECORD_FIELDS.filter((f) => !(f in st.record)) })))
        .filter((x) => x.missing.length > 0);
      expect(incomplete).toEqual([]);
    });

    it.each(positive.map((q) => [q.name, q] as const))("alerts on: %s", async (_n, q) => {
      for (const feed of FEEDS) {
        // Act
        const { alerts, engine, result } = await runSequence(id, q, feed);
        // Assess: the same alerts whether the events come in one file, one per file or late.
        expect({ feed, rules: alerts.map((a) => a.rule) }).toEqual({ feed, rules: Array(q.alerts ?? 1).fill(id) });
        expect(engine.ruleErrors.size).toBe(0);
        expect(result.stats.invalidRecords).toBe(0);
        for (const a of alerts) {
          expect(a.summary).not.toMatch(/undefined|null|\[object Object\]|NaN/);
          expect(a.context).toMatchObject({ threshold: expect.any(Number), windowMinutes: expect.any(Number) });
          expect((a.context as { count: number }).count).toBeGreaterThanOrEqual((a.context as { threshold: number }).threshold);
        }
      }
    });

    it.each(negative.map((q) => [q.name, q] as const))("stays quiet on: %s", async (_n, q) => {
      for (const feed of FEEDS) {
        const { alerts, engine } = await runSequence(id, q, feed);
        expect({ feed, rules: alerts.map((a) => a.rule) }).toEqual({ feed, rules: Array(q.alerts ?? 0).fill(id) });
        expect(engine.ruleErrors.size).toBe(0);
      }
    });
  });
});
