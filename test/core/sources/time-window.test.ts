import { daysOf, inWindow, parseDuration, parseInstant, windowFromFlags } from "../../../functions/core/sources/time-window";

const NOW = new Date("2026-11-23T12:00:00Z");

describe("time windows", () => {
  it("reads UTC dates, times and explicit offsets", () => {
    expect(parseInstant("--from", "2026-11-20").toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(parseInstant("--from", "2026/11/20").toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(parseInstant("--to", "2026-11-20", { endOfDay: true }).toISOString()).toBe("2026-11-21T00:00:00.000Z");
    expect(parseInstant("--from", "2026-11-20T10:30").toISOString()).toBe("2026-11-20T10:30:00.000Z");
    expect(parseInstant("--from", "2026-11-20 10:30:15.250").toISOString()).toBe("2026-11-20T10:30:15.250Z");
    expect(parseInstant("--from", "2026-11-20T10:30:00+02:00").toISOString()).toBe("2026-11-20T08:30:00.000Z");
  });

  it("refuses what is not a real date, time or duration, naming the flag and the value", () => {
    expect(() => parseInstant("--from", "2026-02-30")).toThrow('--from "2026-02-30" is not a real date or time');
    expect(() => parseInstant("--to", "yesterday")).toThrow(/--to "yesterday" is not a UTC date or time/);
    expect(() => parseDuration("--since", "24")).toThrow(/--since "24" is not a duration/);
    expect(parseDuration("--since", "24h")).toBe(86_400_000);
    expect(parseDuration("--since", "90m")).toBe(5_400_000);
  });

  it("builds [from, to) from --from/--to or --since, and refuses empty, future or contradictory windows", () => {
    expect(windowFromFlags({}, NOW)).toBeUndefined();
    expect(windowFromFlags({ since: "24h" }, NOW)).toEqual({ from: new Date("2026-11-22T12:00:00Z"), to: NOW });
    expect(windowFromFlags({ from: "2026-11-20", to: "2026-11-21" }, NOW)).toEqual({ from: new Date("2026-11-20T00:00:00Z"), to: new Date("2026-11-22T00:00:00Z") });
    expect(() => windowFromFlags({ from: "2026-11-20", since: "1h" }, NOW)).toThrow(/either --since or --from/);
    expect(() => windowFromFlags({ to: "2026-11-20" }, NOW)).toThrow(/--to needs --from/);
    expect(() => windowFromFlags({ from: "2026-11-21T10:00", to: "2026-11-21T09:00" }, NOW)).toThrow(/the window is empty/);
    expect(() => windowFromFlags({ from: "2026-12-01" }, NOW)).toThrow(/is in the future/);
  });

  it("lists the UTC days a window touches and tells whether an instant is in it", () => {
    const w = { from: new Date("2026-11-19T23:30:00Z"), to: new Date("2026-11-21T00:00:00Z") };
    expect(daysOf(w)).toEqual(["2026/11/19", "2026/11/20"]);
    expect(inWindow(w, "2026-11-19T23:30:00Z")).toBe(true);
    expect(inWindow(w, "2026-11-21T00:00:00Z")).toBe(false);
    expect(inWindow(w, "not a time")).toBe(false);
  });
});
