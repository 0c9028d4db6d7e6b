import { InvalidHuntInputError, parseHuntInput, type HuntLimits } from "../../../functions/core/hunt/hunt-input";
import { huntKeys } from "../../../functions/core/hunt/hunt-keys";

const NOW = new Date("2026-12-01T08:00:00Z");
const LIMITS = { maxWindowDays: 400, ruleIds: new Set(["cloudtrail.logging-stopped", "iam.root-activity"]), publishAllowed: false };
const problems = (raw: unknown, limits: HuntLimits = LIMITS): string => {
  try {
    parseHuntInput(raw, NOW, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidHuntInputError);
    expect((e as Error).name).toBe("InvalidInput");
    return (e as Error).message;
  }
  throw new Error("expected the input to be refused");
};

describe("a hunt's input", () => {
  it("reads dates and times as trailwatch scan does: a date alone as `to` includes that day", () => {
    // Act
    const req = parseHuntInput({ from: "2026-10-01", to: "2026-10-31", accounts: ["111122223333", "111122223333"], regions: ["eu-west-1"], rules: ["iam.root-activity"], minSeverity: "high" }, NOW, LIMITS);
    // Assess
    expect(req).toEqual({
      window: { from: new Date("2026-10-01T00:00:00Z"), to: new Date("2026-11-01T00:00:00Z") },
      accounts: ["111122223333"], regions: ["eu-west-1"], rules: ["iam.root-activity"], minSeverity: "high", publishAlerts: false,
    });
    expect(parseHuntInput({ from: "2026-11-30T22:00:00+02:00", to: "2026-11-30T23:00:00Z" }, NOW, LIMITS).window.from).toEqual(new Date("2026-11-30T20:00:00Z"));
  });

  it("refuses a rule the deployment switches off, and leaves rule ids alone when the rules it runs are not known here", () => {
    // Act / Assess
    expect(problems({ from: "2026-11-20", to: "2026-11-21", rules: ["iam.root-activity"] }, { ...LIMITS, disabledRuleIds: new Set(["iam.root-activity"]) })).toContain(
      "rules: iam.root-activity switched off in this deployment (enabled: false in its rules section)",
    );
    const { ruleIds: _known, ...unknownRules } = LIMITS;
    expect(parseHuntInput({ from: "2026-11-20", to: "2026-11-21", rules: ["acme.own-rule"] }, NOW, unknownRules).rules).toEqual(["acme.own-rule"]);
  });

  it("names every problem at once: unknown fields, bad ids, an empty window, unknown rules, publishing not allowed", () => {
    // Act
    const message = problems({ from: "2026-11-20", to: "2026-11-19", rules: ["iam.root-activity", "nope.rule"], publishAlerts: true });
    // Assess
    expect(message).toContain("the window is empty: from 2026-11-20T00:00:00Z is not before to 2026-11-20T00:00:00Z");
    expect(message).toContain("unknown rule id(s) nope.rule");
    expect(message).toContain("publishAlerts: this deployment does not publish hunt alerts");
    expect(problems({ from: "2026-11-01", to: "2026-11-02", acounts: ["1"] })).toContain("unknown field(s) acounts");
    expect(problems({ from: "2026-11-01", to: "2026-11-02", accounts: ["1234"] })).toContain("accounts.0: is not a 12-digit account id");
    expect(problems({ from: "2026-11-01", to: "2026-11-02", regions: [] })).toContain("regions is empty");
    expect(problems({ to: "2026-11-02" })).toContain("from is required");
    expect(problems("2026-11-01")).toContain("expected a JSON object");
  });

  it("refuses a window that starts after the execution, or is longer than the deployment allows", () => {
    // Assess
    expect(problems({ from: "2026-12-02", to: "2026-12-03" })).toContain("after the execution started (2026-12-01T08:00:00Z)");
    expect(problems({ from: "2025-01-01", to: "2026-11-30" }, { ...LIMITS, maxWindowDays: 366 })).toContain("the window spans 699 days, more than this deployment's maxWindowDays (366)");
    expect(parseHuntInput({ from: "2026-11-01", to: "2026-11-02", publishAlerts: true }, NOW, { ...LIMITS, publishAllowed: true }).publishAlerts).toBe(true);
  });
});

describe("a hunt's keys", () => {
  it("keep everything of an execution under hunts/<name>/ and refuse names that could leave it", () => {
    // Act
    const k = huntKeys("hunt-2026_11");
    // Assess
    expect([k.manifest, k.plan, k.mapResults, k.batchAlerts("0b1c:2"), k.alerts, k.summary]).toEqual([
      "hunts/hunt-2026_11/manifest.json", "hunts/hunt-2026_11/plan.json", "hunts/hunt-2026_11/map", "hunts/hunt-2026_11/alerts/0b1c_2.jsonl",
      "hunts/hunt-2026_11/alerts.jsonl", "hunts/hunt-2026_11/summary.json",
    ]);
    expect(() => huntKeys("../x")).toThrow(/must be 1-80 letters/);
    expect(() => k.batchAlerts("../../x")).toThrow(/cannot be part of a key/);
  });
});
