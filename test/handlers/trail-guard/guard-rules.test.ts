import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { isThresholdRule } from "../../../functions/core/rules/threshold-rule";
import { guardRules } from "../../../functions/handlers/trail-guard/guard-rules";
import { guardedCalls } from "../../../functions/handlers/trail-guard/tampering-rule";

describe("the trail guard's rules", () => {
  it("are exactly the catalog's single-event rules that could fire on a call the guard's patterns deliver", () => {
    // Prepare
    const engine = new RuleEngine(catalog);
    // Act
    const couldFire = new Set(guardedCalls().flatMap((c) => engine.candidates(c.eventSource, c.eventName).filter((r) => !isThresholdRule(r)).map((r) => r.id)));
    // Assess
    expect(guardRules.map((r) => r.id).sort()).toEqual([...couldFire].sort());
    expect(guardRules.every((r) => catalog.includes(r))).toBe(true);
    expect(guardedCalls()).toContainEqual({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging" });
  });
});
