import type { Alert } from "../../../functions/core/alert/alert";
import { HuntAlertMerger, HuntSummaryBuilder, SUMMARY_FAILED_BATCHES } from "../../../functions/core/hunt/summary";

const alert = (id: string, eventTime: string, extra: Partial<Alert> = {}): Alert => ({
  id, rule: "cloudtrail.logging-stopped", title: "t", severity: "critical", account: "111122223333", region: "us-east-1", principal: "p",
  eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", eventTime, eventId: `e-${eventTime}`, summary: "s", context: {}, remediation: null, ...extra,
});

describe("merging a hunt's alerts across batches", () => {
  it("keeps the earliest event, adds up occurrences and moves lastEventTime, whatever the order of the batches", () => {
    // Prepare
    const later = alert("a", "2026-11-20T10:00:00Z", { occurrences: 2, lastEventTime: "2026-11-20T11:00:00Z" });
    const earlier = alert("a", "2026-11-19T10:00:00Z");
    // Act
    const m1 = new HuntAlertMerger();
    [later, earlier].forEach((a) => m1.add(a));
    const m2 = new HuntAlertMerger();
    [earlier, later].forEach((a) => m2.add(a));
    // Assess
    for (const m of [m1, m2]) expect(m.all()).toEqual([{ ...earlier, occurrences: 3, lastEventTime: "2026-11-20T11:00:00Z" }]);
  });

  it("hands back new ids beyond its limit instead of growing, and still merges ids it holds", () => {
    // Act
    const m = new HuntAlertMerger(1);
    const kept = [m.add(alert("a", "2026-11-20T10:00:00Z")), m.add(alert("b", "2026-11-20T10:00:00Z")), m.add(alert("a", "2026-11-20T12:00:00Z"))];
    // Assess
    expect(kept).toEqual([true, false, true]);
    expect(m.all().map((a) => [a.id, a.occurrences])).toEqual([["a", 2]]);
  });

  it("orders the results worst first, then by time", () => {
    // Act
    const m = new HuntAlertMerger();
    [alert("low", "2026-11-19T00:00:00Z", { severity: "low" }), alert("c2", "2026-11-20T00:00:00Z"), alert("c1", "2026-11-19T00:00:00Z")].forEach((a) => m.add(a));
    // Assess
    expect(m.all().map((a) => a.id)).toEqual(["c1", "c2", "low"]);
  });
});

describe("a hunt's summary", () => {
  const init = {
    hunt: "h", window: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z" }, startedAt: "2026-12-01T00:00:00.000Z",
    listing: { accountRegions: 1, dayFolders: 1, files: 2, bytes: 10, skipped: { digest: 0, notLogFile: 0, empty: 0, outsideWindow: 0 }, problems: [], moreProblems: 0 },
    results: { summary: "s3://b/hunts/h/summary.json", alerts: "s3://b/hunts/h/alerts.jsonl", mapResults: "s3://b/hunts/h/map/" },
  };

  it("adds up what the deployment's suppressions kept back in each batch, per rule, and says nothing when none did", () => {
    // Prepare
    const result = { batchId: "1", files: 1, filesRead: 1, filesSkipped: 0, filesWithErrors: 0, records: 5, invalidRecords: 0, bytes: 1, storedBytes: 1, alerts: 0, alertsByRule: {}, problems: [], moreProblems: 0, ruleErrors: [] };
    const b = new HuntSummaryBuilder(init);
    const plain = new HuntSummaryBuilder(init);
    // Act
    b.addResult({ ...result, suppressedByRule: { "a.b": 2, "c.d": 1 } });
    b.addResult({ ...result, batchId: "2" });
    b.addResult({ ...result, batchId: "3", suppressedByRule: { "a.b": 3 } });
    plain.addResult(result);
    // Assess
    expect(b.build(new Date()).suppressed).toEqual({ "a.b": 5, "c.d": 1 });
    expect(plain.build(new Date()).suppressed).toBeUndefined();
  });

  it("adds up batches, counts rule errors across them and keeps the failed batches' first keys, bounded", () => {
    // Prepare
    const b = new HuntSummaryBuilder(init);
    const result = { batchId: "1", files: 2, filesRead: 2, filesSkipped: 0, filesWithErrors: 1, records: 10, invalidRecords: 1, bytes: 100, storedBytes: 10, alerts: 1, alertsByRule: {}, problems: [{ file: "f", reason: "r" }], moreProblems: 3, ruleErrors: [{ rule: "x.y", count: 2, first: "boom" }] };
    // Act
    b.addResult(result);
    b.addResult({ ...result, batchId: "2" });
    for (let i = 0; i < SUMMARY_FAILED_BATCHES + 5; i++) b.addFailed({ batch: `f${i}`, error: "States.Timeout", cause: "x".repeat(2000), keys: Array.from({ length: 9 }, (_, k) => `k${k}`) });
    b.addPending(2, 7);
    b.countAlert({ rule: "r.one", severity: "high" });
    b.countAlert({ rule: "r.one", severity: "high" }, true);
    const s = b.build(new Date("2026-12-01T01:00:00Z"));
    // Assess
    expect(s.batches).toEqual({ total: 2 + SUMMARY_FAILED_BATCHES + 5 + 2, succeeded: 2, failed: SUMMARY_FAILED_BATCHES + 5, pending: 2 });
    expect(s.scan).toMatchObject({ files: 4 + (SUMMARY_FAILED_BATCHES + 5) * 9 + 7, records: 20, invalidRecords: 2 });
    expect(s.failedItems).toHaveLength(SUMMARY_FAILED_BATCHES);
    expect(s.moreFailedItems).toBe(5);
    expect(s.failedItems[0]).toEqual({ batch: "f0", error: "States.Timeout", cause: `${"x".repeat(500)}...[2000 chars]`, files: 9, keys: ["k0", "k1", "k2", "k3", "k4"] });
    expect(s.ruleErrors).toEqual([{ rule: "x.y", count: 4, first: "boom" }]);
    expect([s.fileProblems.length, s.moreFileProblems]).toEqual([2, 6]);
    expect(s.alerts).toMatchObject({ total: 2, byRule: { "r.one": 2 }, unmerged: 1, bySeverity: { high: 2, critical: 0 } });
    expect([s.status, s.finishedAt]).toEqual(["succeeded", "2026-12-01T01:00:00.000Z"]);
  });
});
