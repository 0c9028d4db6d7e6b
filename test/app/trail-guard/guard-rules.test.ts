import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { isThresholdRule } from "../../../functions/core/rules/threshold-rule";
import { guardRules, leftToCatchAll } from "../../../functions/app/trail-guard/guard-rules";
import { guardedCalls } from "../../../functions/core/rules/catalog/guard-only/cloudtrail-trail-tampering";

describe("the trail guard's rules", () => {
  it("are exactly the catalog's single-event rules that could fire on a call the guard's patterns deliver, but those left to its catch-all", () => {
    // Prepare
    const engine = new RuleEngine(catalog);
    // Act
    // The guard's patterns deliver "AWS API Call via CloudTrail" events only (eventType AwsApiCall);
    // threshold rules count across many events, which the guard (one event at a time) does not see.
    const couldFire = new Set(guardedCalls().flatMap((c) => engine.candidates(c.eventSource, c.eventName))
      .filter((r) => !isThresholdRule(r) && (!r.eventTypes || r.eventTypes.includes("AwsApiCall"))).map((r) => r.id));
    // Assess
    expect([...guardRules.map((r) => r.id), ...Object.keys(leftToCatchAll)].sort()).toEqual([...couldFire].sort());
    expect(guardRules.filter((r) => r.id in leftToCatchAll)).toEqual([]);
    expect(guardRules.every((r) => catalog.includes(r))).toBe(true);
    expect(guardedCalls()).toContainEqual({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging" });
  });
});
