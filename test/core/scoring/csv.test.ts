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
