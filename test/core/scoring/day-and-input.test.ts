import { addDays, dayOf, InvalidScoringInputError, isDay, parseScoringInput, precedingDays } from "../../../functions/core/scoring";

const NOW = new Date("2026-11-21T03:00:00Z");
const good = { cloudtrail_bucket: "org-trail-logs", aws_account: "111122223333", aws_region: "us-east-1", day_of_interest: "2026/11/20" };

describe("days in CloudTrail's YYYY/MM/DD form", () => {
  it("accepts real calendar days and rejects impossible ones", () => {
    expect(isDay("2024/02/29")).toBe(true);
    expect(isDay("2026/02/29")).toBe(false);
    expect(isDay("2026-11-20")).toBe(false);
    expect(isDay("2026/13/01")).toBe(false);
  });

  it("walks back across month and year ends, oldest first", () => {
    expect(addDays("2026/03/01", -1)).toBe("2026/02/28");
    expect(precedingDays("2026/01/02", 3)).toEqual(["2025/12/30", "2025/12/31", "2026/01/01"]);
    expect(dayOf(new Date("2026-11-20T23:59:59Z"))).toBe("2026/11/20");
  });
});

describe("the scoring input", () => {
  it("resolves a valid input to a request", () => {
    expect(parseScoringInput(good, NOW)).toEqual({ bucket: "org-trail-logs", account: "111122223333", region: "us-east-1", day: "2026/11/20" });
  });

  it("scores the day before the scheduled time when a schedule starts the run", () => {
    const { day_of_interest: _, ...scheduled } = good;
    expect(parseScoringInput({ ...scheduled, scheduled_time: "2026-11-21T02:30:00Z" }, NOW).day).toBe("2026/11/20");
  });

  it("names every bad field and the value it got", () => {
    const run = () => parseScoringInput({ ...good, aws_account: 111122223333, day_of_interest: "2026-11-20", aws_region: "Mars" }, NOW);
    expect(run).toThrow(InvalidScoringInputError);
    expect(run).toThrow(/aws_account.*12-digit.*got 111122223333/);
    expect(run).toThrow(/day_of_interest.*YYYY\/MM\/DD.*got "2026-11-20"/);
    expect(run).toThrow(/aws_region.*got "Mars"/);
  });

  it("says what is missing", () => {
    expect(() => parseScoringInput({ cloudtrail_bucket: "b-1-2" }, NOW)).toThrow(/aws_account is required.*aws_region is required.*day_of_interest is required/);
    expect(() => parseScoringInput("2026/11/20", NOW)).toThrow(/must be a JSON object/);
  });

  it("refuses a day that has not begun", () => {
    expect(() => parseScoringInput({ ...good, day_of_interest: "2026/11/22" }, NOW)).toThrow(/has not begun/);
  });

  it("surfaces in the state machine as the error InvalidInput", () => {
    expect(new InvalidScoringInputError("x").name).toBe("InvalidInput");
  });
});
