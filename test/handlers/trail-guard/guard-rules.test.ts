import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { guardRules, leftToCatchAll } from "../../../functions/handlers/trail-guard/guard-rules";
import { guardedCalls } from "../../../functions/handlers/trail-guard/tampering-rule";

describe("the trail guard's rules", () => {
  it("are exactly the catalog rules that could fire on a call the guard's patterns deliver, but those left to its catch-all", () => {
    // Prepare
    const engine = new RuleEngine(catalog);
    // Act
    // The guard's patterns deliver "AWS API Call via CloudTrail" events only (eventType AwsApiCall).
    const couldFire = new Set(guardedCalls().flatMap((c) => engine.candidates(c.eventSource, c.eventName))
      .filter((r) => !r.eventTypes || r.eventTypes.includes("AwsApiCall")).map((r) => r.id));
    // Assess
    expect([...guardRules.map((r) => r.id), ...Object.keys(leftToCatchAll)].sort()).toEqual([...couldFire].sort());
    expect(guardRules.filter((r) => r.id in leftToCatchAll)).toEqual([]);
    expect(guardRules.every((r) => catalog.includes(r))).toBe(true);
    expect(guardedCalls()).toContainEqual({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging" });
  });
});
