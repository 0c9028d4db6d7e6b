import { alertText } from "../../../functions/core/alert";
import {
  runFailedAlert, runSummaryAlert, scoreSeverity, summaryWorthSending, unusualActivityAlerts,
  type RunTotals, type ScoredPair, type ScoreRunContext,
} from "../../../functions/core/scoring";

const run: ScoreRunContext = {
  account: "111122223333", region: "us-east-1", day: "2026/11/20", scorer: "builtin", threshold: 0.7,
  logPrefix: "s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/", runId: "run-1", results: "s3://work/runs/run-1/",
};
const row = (eventName: string, score: number, over: Partial<ScoredPair> = {}): ScoredPair => ({
  principal: "arn:aws:iam::111122223333:user/alice", principalType: "IAMUser", eventSource: "iam.amazonaws.com", eventName,
  count: 2, firstSeen: "2026-11-20T10:00:00Z", lastSeen: "2026-11-20T11:00:00Z", firstEventId: "ev-1", score, ...over,
});
const totals: RunTotals = { files: 40, records: 5000, pairs: 120, historyDays: 14, unreadableFiles: 0, invalidRecords: 0, problems: [] };

describe("score alerts", () => {
  const builtinReasons = { historyDays: 14, newPrincipal: false, pairDays: 0, principalDays: 14, principalApis: 6, oneDayApis: 2, routine: 0.5, callers: 0, principals: 9, accountRarity: 1, novelty: 1, expectedCount: null, tailProbability: null, volume: 0 };

  it("alerts only strictly above the threshold, highest score first, with the evidence in context", () => {
    const alerts = unusualActivityAlerts([row("ListUsers", 0.7), row("CreateAccessKey", 1, { components: builtinReasons }), row("CreateUser", 0.8)], run);

    expect(alerts.map((a) => a.eventName)).toEqual(["CreateAccessKey", "CreateUser"]);
    expect(alerts[0]).toMatchObject({
      rule: "score.unusual-activity", severity: "high", principal: "arn:aws:iam::111122223333:user/alice", eventTime: "2026-11-20T10:00:00Z", eventId: "ev-1",
      summary: "alice called CreateAccessKey 2 time(s) on 2026/11/20: score 1 above 0.7 (first call of this API by the principal in 14 days (active on 14, 6 APIs, 2 of them on one day only); no principal in the account called it before)",
      context: { score: 1, threshold: 0.7, count: 2, logPrefix: run.logPrefix, components: builtinReasons, results: "s3://work/runs/run-1/" },
    });
    expect(alerts[1]!.severity).toBe("medium");
  });

  it("gives the same id to the same pair of the same day, whichever run finds it", () => {
    const [a] = unusualActivityAlerts([row("CreateUser", 0.9)], run);
    const [b] = unusualActivityAlerts([row("CreateUser", 0.95)], { ...run, runId: "run-2" });
    const [c] = unusualActivityAlerts([row("CreateUser", 0.9)], { ...run, day: "2026/11/21" });
    expect(a!.id).toBe(b!.id);
    expect(a!.id).not.toBe(c!.id);
  });

  it("rates the top half above the threshold high", () => {
    expect([scoreSeverity(0.75, 0.7), scoreSeverity(0.9, 0.7), scoreSeverity(0.94, 0.9), scoreSeverity(0.95, 0.9)]).toEqual(["medium", "high", "medium", "high"]);
  });
});

describe("the run summary", () => {
  it("lists the unusual pairs with their reasons in one message", () => {
    const alerts = unusualActivityAlerts(Array.from({ length: 30 }, (_, i) => row(`Api${i}`, 0.71 + i / 100)), run);
    const summary = runSummaryAlert(alerts, totals, run, new Date("2026-11-21T03:00:00Z"));

    expect(summary).toMatchObject({ rule: "score.run-summary", severity: "high", summary: "30 unusual (principal, API) pair(s) in 111122223333 us-east-1 on 2026/11/20, of 120 scored (threshold 0.7)" });
    const top = (summary.context as { top: Record<string, string> }).top;
    expect(Object.keys(top)).toHaveLength(25);
    expect(top["#1"]).toBe("1  arn:aws:iam::111122223333:user/alice  iam.amazonaws.com Api29 x2");
    expect(summary.context.more).toMatch(/^5 more/);
    expect(alertText(summary)).toContain("#25:");
  });

  it("is sent when something is unusual, unreadable or missing, and not for a quiet day", () => {
    expect(summaryWorthSending([], totals)).toBe(false);
    expect(summaryWorthSending([], { ...totals, unreadableFiles: 2 })).toBe(true);
    expect(summaryWorthSending([], { ...totals, files: 0 })).toBe(true);
    expect(runSummaryAlert([], { ...totals, files: 0 }, run, new Date()).summary).toBe(
      "No CloudTrail log files found for 111122223333 us-east-1 on 2026/11/20 (is the trail delivering to s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/?)",
    );
  });
});

describe("the failed-run alert", () => {
  it("names the run, the day and the error", () => {
    const a = runFailedAlert({
      executionId: "arn:aws:states:us-east-1:1:execution:sm:run-9", input: { aws_account: "111122223333", aws_region: "us-east-1", scheduled_time: "2026-11-21T02:30:00Z" },
      error: "States.Timeout", cause: "Task timed out", at: new Date("2026-11-21T04:00:00Z"),
    });
    expect(a).toMatchObject({ rule: "score.run-failed", severity: "high", account: "111122223333", summary: "Scoring of 111122223333 us-east-1 for the day before 2026-11-21T02:30:00Z failed: States.Timeout: Task timed out" });
  });
});
