import { createHash } from "node:crypto";
import { catalog } from "../../../functions/core/rules/catalog";
import { boundedKey, RuleEngine } from "../../../functions/core/rules/engine";

const expected = (v: string) => `${v.slice(0, 64)}...#${createHash("sha256").update(v).digest("hex").slice(0, 16)}`;

describe("boundedKey", () => {
  it("keeps short keys as they are", () => {
    expect(boundedKey("arn:aws:iam::111122223333:user/alice")).toBe("arn:aws:iam::111122223333:user/alice");
    expect(boundedKey("x".repeat(96))).toBe("x".repeat(96));
  });

  it("cuts long keys and names them by a hash of the whole, the same on every call", () => {
    const session = `arn:aws:sts::111122223333:assumed-role/${"Deploy".repeat(10)}/session session ${"s".repeat(40)}`;
    const first = boundedKey(session);
    expect(first).toBe(expected(session));
    expect(first.length).toBeLessThanOrEqual(96);
    // Remembered keys give exactly what a fresh computation gives.
    expect(boundedKey(session)).toBe(first);
    expect(boundedKey(`${session}x`)).toBe(expected(`${session}x`));
    expect(boundedKey(`${session}x`)).not.toBe(first);
  });

  it("cuts keys too long to remember the same way", () => {
    const huge = "a".repeat(100_000) + "b";
    expect(boundedKey(huge)).toBe(expected(huge));
    expect(boundedKey(huge)).toBe(expected(huge));
    expect(boundedKey("a".repeat(100_001))).not.toBe(boundedKey(huge));
  });
});

describe("the engine's index of event sources and names", () => {
  it("keeps real ones and answers made-up long ones without keeping them", () => {
    const engine = new RuleEngine(catalog);
    expect(engine.entry("cloudtrail.amazonaws.com", "StopLogging")).toBe(engine.entry("cloudtrail.amazonaws.com", "StopLogging"));
    const long = `${"x".repeat(300)}.amazonaws.com`;
    const first = engine.entry(long, "StopLogging");
    expect(engine.entry(long, "StopLogging")).not.toBe(first);
    expect(engine.entry("cloudtrail.amazonaws.com", "y".repeat(300))).not.toBe(engine.entry("cloudtrail.amazonaws.com", "y".repeat(300)));
    // Answered all the same: the rules on every source still apply.
    expect(first.all.map((r) => r.id)).toEqual(engine.entry("made-up.amazonaws.com", "StopLogging").all.map((r) => r.id));
    expect(first.all.length).toBeGreaterThan(0);
  });

  it("gives a record without an event source or name what it gave before: no findings, no exception", () => {
    const engine = new RuleEngine(catalog);
    for (const r of [{}, { eventSource: 42, eventName: null }, { eventName: "StopLogging" }]) {
      expect(() => engine.evaluate(r as unknown as { eventSource: string; eventName: string })).not.toThrow();
    }
  });
});
