import { RuleEngine, RuleConfigError, toAlert } from "../../../functions/core/rules/engine";
import { defineRule } from "../../../functions/core/rules/rule";
import { AlertCollector } from "../../../functions/core/alert/collector";

const rec = (over: Record<string, unknown> = {}) => ({
  eventTime: "2026-11-20T10:00:00Z", eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging",
  awsRegion: "us-east-1", recipientAccountId: "111122223333", eventID: "e-1",
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice", userName: "alice" },
  requestParameters: { name: "org-trail" }, ...over,
});

function counting(id: string, names: string[] | "*", extra: Partial<Parameters<typeof defineRule>[0]> = {}) {
  const calls: string[] = [];
  const rule = defineRule({
    id, title: id, severity: "high", description: id, eventSources: ["cloudtrail.amazonaws.com"], eventNames: names,
    match: (r) => { calls.push(r.eventName); return true; }, summary: () => `${id} fired`, references: {}, ...extra,
  });
  return { rule, calls };
}

describe("RuleEngine", () => {
  it("runs a rule only on the eventNames it declares", () => {
    const a = counting("t.a", ["StopLogging"]);
    const b = counting("t.b", ["DeleteTrail"]);
    const engine = new RuleEngine([a.rule, b.rule]);
    engine.evaluate(rec());
    engine.evaluate(rec({ eventName: "DeleteTrail" }));
    engine.evaluate(rec({ eventSource: "s3.amazonaws.com" }));
    expect(a.calls).toEqual(["StopLogging"]);
    expect(b.calls).toEqual(["DeleteTrail"]);
  });

  it("skips failed calls unless the rule asks for them", () => {
    const a = counting("t.a", "*");
    const b = counting("t.b", "*", { includeFailedCalls: true });
    const engine = new RuleEngine([a.rule, b.rule]);
    const ev = engine.evaluate(rec({ errorCode: "AccessDenied" }));
    expect(a.calls).toEqual([]);
    expect(ev.kind === "findings" && ev.findings.map((f) => f.rule.id)).toEqual(["t.b"]);
  });

  it("keeps going when a rule throws and counts the error", () => {
    const bad = defineRule({ id: "t.bad", title: "", severity: "low", description: "", eventSources: ["cloudtrail.amazonaws.com"], eventNames: "*", match: () => { throw new Error("boom"); }, summary: () => "", references: {} });
    const good = counting("t.good", "*");
    const engine = new RuleEngine([bad, good.rule]);
    const ev = engine.evaluate(rec());
    expect(ev.kind === "findings" && ev.findings.length).toBe(1);
    expect(engine.ruleErrors.get("t.bad")).toEqual({ count: 1, first: "boom" });
  });

  it("filters by rule ids and minimum severity, and rejects unknown ids", () => {
    const a = counting("t.a", "*");
    expect(() => new RuleEngine([a.rule], { only: ["t.nope"] })).toThrow(RuleConfigError);
    const engine = new RuleEngine([a.rule], { minSeverity: "critical" });
    const ev = engine.evaluate(rec());
    expect(ev.kind === "findings" && ev.findings.length).toBe(0);
  });

  it("builds alerts with a stable id and collapses duplicates by dedup key", () => {
    const a = counting("t.a", "*");
    const engine = new RuleEngine([a.rule]);
    const collector = new AlertCollector();
    for (const t of ["2026-11-20T10:00:00Z", "2026-11-20T10:05:00Z"]) {
      const ev = engine.evaluate(rec({ eventTime: t }));
      if (ev.kind === "findings") for (const f of ev.findings) collector.add(toAlert(f));
    }
    const [alert] = collector.all();
    expect(collector.size).toBe(1);
    expect(alert).toMatchObject({ rule: "t.a", account: "111122223333", region: "us-east-1", principal: "arn:aws:iam::111122223333:user/alice", eventId: "e-1", occurrences: 2, lastEventTime: "2026-11-20T10:05:00Z" });
    expect(alert!.id).toMatch(/^[0-9a-f]{32}$/);
    const again = engine.evaluate(rec());
    expect(again.kind === "findings" && toAlert(again.findings[0]!).id).toBe(alert!.id);
  });

  it("reports a record whose typed fields are malformed as invalid instead of crashing rules", () => {
    const a = counting("t.a", "*");
    const ev = new RuleEngine([a.rule]).evaluate(rec({ userIdentity: 42 }));
    expect(ev).toEqual({ kind: "invalid", reason: expect.stringMatching(/^userIdentity/) });
  });
});
