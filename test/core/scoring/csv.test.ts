import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../../../functions/core/scoring/csv";
import { CsvFormatError, parsePairsCsv, parseScoresCsv, pairsToCsv, scoresToCsv, type PairCount } from "../../../functions/core/scoring";

const pair: PairCount = {
  principal: 'identitycenter:arn:aws:identitystore::1:identitystore/d-1/"odd, name"', principalType: "IdentityCenterUser",
  eventSource: "s3.amazonaws.com", eventName: "GetObject", count: 42,
  firstSeen: "2026-11-20T00:00:01Z", lastSeen: "2026-11-20T23:00:00Z", firstEventId: "ev-1",
};

describe("pairs and scores as CSV", () => {
  it("writes a header and reads back exactly what it wrote, quotes and commas included", () => {
    const text = pairsToCsv([pair, { ...pair, principal: "arn:aws:iam::1:user/bob", count: 1 }]);

    expect(text.split("\n")[0]).toBe("principal,principal_type,event_source,event_name,count,first_seen,last_seen,first_event_id");
    expect(parsePairsCsv(text, "pairs.csv")).toEqual([pair, { ...pair, principal: "arn:aws:iam::1:user/bob", count: 1 }]);
  });

  it("carries a score's reasons as JSON", () => {
    const rows = [{ ...pair, score: 0.83, components: { novelty: 0.8, why: "new, rare" } }];
    expect(parseScoresCsv(scoresToCsv(rows), "scores.csv")).toEqual(rows);
  });

  it("reads an empty day (header only)", () => {
    expect(parsePairsCsv(pairsToCsv([]), "pairs.csv")).toEqual([]);
  });

  it("says which line is wrong and why", () => {
    const good = pairsToCsv([pair]);
    expect(() => parsePairsCsv(good + "a,b,c\n", "p.csv")).toThrow(new CsvFormatError("p.csv line 3: 3 fields, expected 8"));
    expect(() => parsePairsCsv(good.replace(",42,", ",many,"), "p.csv")).toThrow(/p\.csv line 2: count must be a positive integer \(got "many"\)/);
    expect(() => parsePairsCsv("x,y\n", "p.csv")).toThrow(/p\.csv line 1: header is "x,y"/);
    expect(() => parsePairsCsv('"open', "p.csv")).toThrow(/not closed/);
    expect(() => parseScoresCsv(scoresToCsv([{ ...pair, score: 1 }]).replace(",1,\n", ",NaN,\n"), "s.csv")).toThrow(/score must be a number/);
  });
});

describe("scoring CSV against formula injection (OWASP)", () => {
  const hostile = (JSON.parse(readFileSync(join(__dirname, "../../fixtures/hostile/output/csv-formula-cells.json"), "utf8")) as { values: string[] }).values;
  const rows = hostile.map((v, i) => ({ ...pair, principal: v, eventName: v, firstEventId: v, count: i + 1, score: -0.5 + i / 100, components: { note: v } }));

  /** Every cell of a CSV text, as a spreadsheet sees it (quotes taken off). */
  const cells = (text: string) => parseCsv(text, "x.csv").flatMap((r) => r.fields);

  it("starts no text cell with a formula character, in pairs and scores files (a number such as -0.5 stays a number)", () => {
    for (const text of [pairsToCsv(rows), scoresToCsv(rows)]) {
      const offending = cells(text).filter((c) => /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/u.test(c) && !/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(c));
      expect(offending).toEqual([]);
    }
    expect(pairsToCsv([{ ...pair, principal: "=1+1" }]).split("\n")[1]!.startsWith(`"'=1+1",`)).toBe(true);
  });

  it("reads every value back exactly as it was, the neutralising quote taken off", () => {
    expect(parsePairsCsv(pairsToCsv(rows), "pairs.csv")).toEqual(rows.map(({ score: _s, components: _c, ...p }) => p));
    expect(parseScoresCsv(scoresToCsv(rows), "scores.csv")).toEqual(rows);
  });

  it("writes control characters in a name as visible \\uXXXX text, never raw", () => {
    const text = pairsToCsv([{ ...pair, principal: "esc\u001b[31mred" }]);
    expect(text).not.toMatch(/\u001b/);
    expect(parsePairsCsv(text, "pairs.csv")[0]!.principal).toBe("esc\\u001b[31mred");
  });

  it("leaves numbers (a negative score) and ordinary names as they are", () => {
    const line = scoresToCsv([{ ...pair, score: -0.25 }]).split("\n")[1]!;
    expect(line).toBe('"identitycenter:arn:aws:identitystore::1:identitystore/d-1/""odd, name""",IdentityCenterUser,s3.amazonaws.com,GetObject,42,2026-11-20T00:00:01Z,2026-11-20T23:00:00Z,ev-1,-0.25,');
  });
});
