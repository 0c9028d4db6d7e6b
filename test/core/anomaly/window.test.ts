import { schedulePeriodMinutes, isScheduleExpression } from "../../../functions/core/anomaly/schedule";
import { checkWindow, hourlyWindows, windowFor } from "../../../functions/core/anomaly/window";
import { pathRanges, scanPlan, stampInPlan } from "../../../functions/core/anomaly/scan-plan";
import { parseLogFileName } from "../../../functions/core/aws/cloudtrail-keys";

const MIN = 60_000;

describe("schedule periods", () => {
  it.each([
    ["rate(1 hour)", 60],
    ["rate(2 hours)", 120],
    ["rate(30 minutes)", 30],
    ["rate(1 day)", 1440],
    ["cron(5 * * * ? *)", 60],
    ["cron(5 0/3 * * ? *)", 180],
    ["cron(0/15 * * * ? *)", 15],
  ])("knows how often %s fires", (expr, minutes) => {
    expect(isScheduleExpression(expr)).toBe(true);
    expect(schedulePeriodMinutes(expr)).toBe(minutes);
  });

  it.each(["cron(5 9,17 * * ? *)", "cron(5 * * * MON-FRI *)", "cron(0 8 1 * ? *)"])("refuses to guess the period of %s", (expr) => {
    expect(schedulePeriodMinutes(expr)).toBeUndefined();
  });

  it("tells a malformed expression", () => {
    expect(isScheduleExpression("every hour")).toBe(false);
    expect(isScheduleExpression("cron(5 * * *)")).toBe(false);
    expect(isScheduleExpression("rate(0 hours)")).toBe(false);
  });
});

describe("query windows", () => {
  it("covers the last hour plus the overlap, ending at the hour the schedule fired in", () => {
    expect(windowFor(new Date("2026-11-20T11:05:00Z"), { periodMinutes: 60, overlapMinutes: 15 })).toEqual({ from: "2026-11-20T09:45:00.000Z", to: "2026-11-20T11:00:00.000Z" });
  });

  it("gives a retried run (same scheduled time) the same window", () => {
    const t = new Date("2026-11-20T11:05:00Z");
    expect(windowFor(t, { periodMinutes: 60 })).toEqual(windowFor(new Date(t), { periodMinutes: 60 }));
  });

  it("leaves no gap between consecutive hourly runs across a whole day, midnight included", () => {
    // Prepare: a run at 5 past every hour from 20:05 to 04:05 the next day.
    const runs = Array.from({ length: 9 }, (_, i) => new Date(Date.parse("2026-11-20T20:05:00Z") + i * 60 * MIN));
    // Act
    const windows = runs.map((t) => windowFor(t, { periodMinutes: 60, overlapMinutes: 15 }));
    // Assess: each window starts 15 minutes before the previous one ended, and the one at 00:05 covers 23:00 to midnight.
    for (let i = 1; i < windows.length; i++) expect(Date.parse(windows[i]!.from)).toBe(Date.parse(windows[i - 1]!.to) - 15 * MIN);
    expect(windows[4]).toEqual({ from: "2026-11-20T22:45:00.000Z", to: "2026-11-21T00:00:00.000Z" });
  });

  it("makes multi-hour and sub-hour periods contiguous too", () => {
    const two = [windowFor(new Date("2026-11-20T10:05:00Z"), { periodMinutes: 120 }), windowFor(new Date("2026-11-20T12:05:00Z"), { periodMinutes: 120 })];
    expect(Date.parse(two[1]!.from)).toBe(Date.parse(two[0]!.to) - 15 * MIN);
    const q = [windowFor(new Date("2026-11-20T10:16:00Z"), { periodMinutes: 15, overlapMinutes: 5 }), windowFor(new Date("2026-11-20T10:31:00Z"), { periodMinutes: 15, overlapMinutes: 5 })];
    expect(q).toEqual([{ from: "2026-11-20T09:55:00.000Z", to: "2026-11-20T10:15:00.000Z" }, { from: "2026-11-20T10:10:00.000Z", to: "2026-11-20T10:30:00.000Z" }]);
  });

  it("refuses periods that cannot tile the clock", () => {
    expect(() => windowFor(new Date(), { periodMinutes: 45 })).toThrow("must divide 60");
    expect(() => windowFor(new Date(), { periodMinutes: 90 })).toThrow("whole hours");
  });

  it("checks windows that arrive in messages", () => {
    expect(checkWindow({ from: "2026-11-20T10:00:00Z", to: "2026-11-20T09:00:00Z" })).toMatch(/must be after/);
    expect(checkWindow({ from: "2026-11-18T10:00:00Z", to: "2026-11-20T11:00:00Z" })).toMatch(/longer than 48 hours/);
    expect(checkWindow({ from: "yesterday", to: "2026-11-20T11:00:00Z" })).toMatch(/not an ISO date/);
    expect(checkWindow({ from: "2026-11-20T10:00:00Z", to: "2026-11-20T11:00:00Z" })).toBeUndefined();
  });

  it("replays hour by hour like the hourly schedule", () => {
    const w = hourlyWindows(new Date("2026-11-20T22:30:00Z"), new Date("2026-11-21T01:00:00Z"));
    expect(w.map((x) => x.to)).toEqual(["2026-11-20T23:00:00.000Z", "2026-11-21T00:00:00.000Z", "2026-11-21T01:00:00.000Z"]);
  });
});

describe("scan plans", () => {
  const acct = "111122223333";

  it("reads both days' folders for a window across midnight, and only its delivery minutes", () => {
    const plan = scanPlan(acct, { from: "2026-11-20T23:45:00.000Z", to: "2026-11-21T01:00:00.000Z" }, { deliveryPadMinutes: 10 });
    expect(plan.days).toEqual(["2026/11/20", "2026/11/21"]);
    expect([plan.fileFrom, plan.fileTo]).toEqual(["20261120T2345Z", "20261121T0110Z"]);
    expect([plan.eventFrom, plan.eventTo]).toEqual(["2026-11-20T23:45:00Z", "2026-11-21T01:00:00Z"]);
  });

  it("includes the next day's folder when only late deliveries land there", () => {
    const plan = scanPlan(acct, { from: "2026-11-20T22:45:00.000Z", to: "2026-11-21T00:00:00.000Z" }, { deliveryPadMinutes: 10 });
    expect(plan.days).toEqual(["2026/11/20", "2026/11/21"]);
  });

  it("selects exactly the files delivered in range with plain path ranges, per region and day", () => {
    const plan = scanPlan(acct, { from: "2026-11-20T09:45:00.000Z", to: "2026-11-20T11:00:00.000Z" });
    const ranges = pathRanges(plan, "s3://logs/", { type: "organization", organizationId: "o-abcdef1234" }, ["us-east-1", "eu-west-1"], "trail/");
    expect(ranges).toHaveLength(2);
    const dir = "s3://logs/trail/AWSLogs/o-abcdef1234/111122223333/CloudTrail/us-east-1/2026/11/20/";
    const file = (stamp: string) => `${dir}${acct}_CloudTrail_us-east-1_${stamp}_AbCdEfGhIjKlMnOp.json.gz`;
    const inRange = (p: string) => ranges.some((r) => p >= r.lo && p < r.hi);
    expect(["20261120T0944Z", "20261120T0945Z", "20261120T1109Z", "20261120T1110Z"].map((s) => inRange(file(s)))).toEqual([false, true, true, false]);
    expect(["20261120T0944Z", "20261120T0945Z", "20261120T1109Z", "20261120T1110Z"].map((s) => stampInPlan(plan, s))).toEqual([false, true, true, false]);
  });

  it("refuses bad account ids and regions before they reach a path", () => {
    expect(() => scanPlan("1111'; DROP", { from: "2026-11-20T09:45:00Z", to: "2026-11-20T11:00:00Z" })).toThrow("account id is not valid");
    const plan = scanPlan(acct, { from: "2026-11-20T09:45:00Z", to: "2026-11-20T11:00:00Z" });
    expect(() => pathRanges(plan, "s3://b/", { type: "account" }, ["us-east-1/../x"])).toThrow("region is not valid");
  });

  it("parses CloudTrail file names of both layouts", () => {
    expect(parseLogFileName("/x/AWSLogs/o-abcdef1234/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1005Z_abc.json.gz")).toEqual({ account: acct, region: "eu-west-1", day: "2026/11/20", stamp: "20261120T1005Z" });
    expect(parseLogFileName("AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/x.json.gz")).toBeUndefined();
  });
});
