import { decodeLogText, isTrailwatchAlert } from "../../../functions/core/record/decode";
import { READ_LIMITS } from "../../../functions/core/record/limits";

const rec = (n: string, extra: Record<string, unknown> = {}) => ({ eventVersion: "1.09", eventName: n, eventSource: "s3.amazonaws.com", eventTime: "2026-01-01T00:00:00Z", userAgent: "aws-cli", ...extra });
const doc = (...names: string[]) => JSON.stringify({ Records: names.map((n) => rec(n)) });
const names = (out: { records: Record<string, unknown>[] }) => out.records.map((r) => r.eventName);
const problems = (out: { invalid: { where: string; reason: string }[] }) => out.invalid.map((p) => `${p.where}: ${p.reason}`);

describe("decodeLogText on intact files (the fast path)", () => {
  it("reads the S3 delivery shape and reports records without required fields by their real position", () => {
    const text = JSON.stringify({ Records: [rec("A"), { eventSource: "x", eventTime: "t" }, rec("C")] });
    const out = decodeLogText(text, "f.json");
    expect(names(out)).toEqual(["A", "C"]);
    expect(out.where).toEqual(["Records[0]", "Records[2]"]);
    expect(out.invalid).toEqual([{ source: "f.json", position: 1, where: "Records[1]", reason: "eventName is missing or not a non-empty string" }]);
  });

  it("names no positions while every record i is Records[i] (nothing to build on the hot path)", () => {
    const out = decodeLogText(doc("A", "B"), "f.json");
    expect(out.where).toBeUndefined();
    expect(out.error).toBeUndefined();
  });

  it("ignores a UTF-8 byte order mark", () => {
    expect(names(decodeLogText("\ufeff" + doc("A", "B"), "f.json"))).toEqual(["A", "B"]);
    expect(names(decodeLogText("\ufeff\n" + [rec("A"), rec("B")].map((r) => JSON.stringify(r)).join("\n"), "f.jsonl"))).toEqual(["A", "B"]);
  });

  it("reads JSON Lines of records and of whole documents, naming each by its line", () => {
    const lines = decodeLogText([JSON.stringify(rec("A")), JSON.stringify({ event: rec("B") }), ""].join("\n"), "f.jsonl");
    expect(names(lines)).toEqual(["A", "B"]);
    expect(lines.where).toEqual(["line 1", "line 2"]);
    const docs = decodeLogText([doc("A", "B"), doc("C")].join("\n"), "f.jsonl");
    expect(names(docs)).toEqual(["A", "B", "C"]);
    expect(docs.where).toEqual(["line 1 Records[0]", "line 1 Records[1]", "line 2 Records[0]"]);
  });

  it("reads arrays and single records, and treats an empty file and a missing Records array as errors, and a digest as not CloudTrail", () => {
    expect(decodeLogText(JSON.stringify([rec("A"), rec("B")]), "a.json").where).toEqual(["record 0", "record 1"]);
    expect(names(decodeLogText(JSON.stringify(rec("A")), "a.json"))).toEqual(["A"]);
    expect(decodeLogText("  \n", "e.json").error).toMatch(/empty/);
    expect(decodeLogText('{"foo":1}', "AWSLogs/1/CloudTrail/us-east-1/x.json").error).toMatch(/Records/);
    expect(decodeLogText('{"foo":1}', "logs/1_CloudTrail_us-east-1_x.json").error).toMatch(/Records/);
    expect(decodeLogText('{"foo":1}', "demo/manifest.json").notCloudTrail).toMatch(/without a "Records" array/);
    expect(decodeLogText('{"digestStartTime":"x"}', "d.json").notCloudTrail).toMatch(/digest/);
    expect(decodeLogText('{"Records":null}', "d.json").error).toBe('"Records" is null, expected an array');
    expect(decodeLogText('{"Records":[]}', "d.json")).toEqual({ records: [], invalid: [] });
  });
});

describe("decodeLogText on damaged files (the careful path)", () => {
  it("keeps every complete record of a truncated Records array and names the cut one", () => {
    const full = doc("A", "B", "C");
    const out = decodeLogText(full.slice(0, full.length - 20), "t.json");
    expect(names(out)).toEqual(["A", "B"]);
    expect(out.error).toMatch(/^invalid JSON: the file ends inside a record \(truncated\); kept 2 complete record\(s\), 1 could not be read/);
    expect(out.invalid).toEqual([{ source: "t.json", position: 2, where: "Records[2]", reason: "cut off at the end of the file; not read" }]);
  });

  it("loses only the record whose string lost its closing quote, and names it by its real index", () => {
    // Prepare: Records[1]'s userAgent is "aws-cli (no closing quote): its neighbours must survive.
    const records = [rec("A"), rec("B"), rec("C"), rec("D")];
    const text = JSON.stringify({ Records: records }).replace('"eventName":"B","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:00Z","userAgent":"aws-cli"', '"eventName":"B","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:00Z","userAgent":"aws-cli');

    // Act
    const out = decodeLogText(text, "b.json");

    // Assess
    expect(names(out)).toEqual(["A", "C", "D"]);
    expect(out.where).toEqual(["Records[0]", "Records[2]", "Records[3]"]);
    expect(problems(out)).toEqual([expect.stringMatching(/^Records\[1\]: invalid JSON \(expected ',' or '}' but found 'e' at line 1 column \d+\); not read$/)]);
    expect(out.error).toMatch(/skipped to line 1 column \d+, 1 record\(s\) lost; kept 3 complete record\(s\)/);
  });

  it("counts every record a damaged region swallowed (by their eventVersion keys) and numbers the rest right", () => {
    // Prepare: a quote lost in Records[1] hides Records[2] too (both are in the region before the next good start).
    const text = doc("A", "B", "C", "D").replace('"eventName":"B"', '"eventName":"B').replace('"eventName":"C"', 'eventName":"C"');
    const out = decodeLogText(text, "r.json");
    expect(names(out)).toEqual(["A", "D"]);
    expect(out.where).toEqual(["Records[0]", "Records[3]"]);
    expect(out.invalid.map((p) => p.where)).toEqual(["Records[1]", "Records[2]"]);
  });

  it("keeps a broken record's neighbours when its extent is clear, with JSON.parse's reason but none of the hostile text", () => {
    const text = `{"Records":[${JSON.stringify(rec("A"))},{"eventName":"B","eventSource":"s\u001b[31m","eventTime":"t"},${JSON.stringify(rec("C"))}]}`;
    const out = decodeLogText(text, "c.json");
    expect(names(out)).toEqual(["A", "C"]);
    expect(out.invalid).toEqual([expect.objectContaining({ where: "Records[1]", reason: expect.stringMatching(/^invalid JSON: Bad control character in string literal at line 1 column \d+$/) })]);
    expect(out.invalid[0]!.reason).not.toContain("\u001b");
  });

  it("reads several concatenated documents, with or without newlines between them", () => {
    const together = decodeLogText(doc("A", "B") + doc("C") + doc("D"), "all.json");
    expect(names(together)).toEqual(["A", "B", "C", "D"]);
    expect(together.where).toEqual(["document 1 Records[0]", "document 1 Records[1]", "document 2 Records[0]", "document 3 Records[0]"]);
    expect(together.error).toBeUndefined();
    const lines = decodeLogText(doc("A") + "\n" + doc("B") + "\n", "all.json");
    expect(lines.where).toEqual(["line 1 Records[0]", "line 2 Records[0]"]);
  });

  it("reads past junk between documents and a damaged JSON Lines line", () => {
    const junk = decodeLogText(doc("A") + "\n<html>502</html>\n" + doc("B"), "j.json");
    expect(names(junk)).toEqual(["A", "B"]);
    expect(junk.error).toMatch(/^invalid JSON \(unexpected '<' at line 2 column 1\): skipped to line 3 column 1; kept 2 complete record/);
    const jsonl = decodeLogText([JSON.stringify(rec("A")), "{not json", JSON.stringify(rec("B"))].join("\n"), "f.jsonl");
    expect(names(jsonl)).toEqual(["A", "B"]);
    expect(jsonl.invalid).toEqual([expect.objectContaining({ where: "line 2", position: 2 })]);
  });

  it("keeps the complete elements of a cut-off or broken JSON array", () => {
    const arr = JSON.stringify([rec("A"), rec("B"), rec("C")]);
    const cut = decodeLogText(arr.slice(0, -30), "a.json");
    expect(names(cut)).toEqual(["A", "B"]);
    expect(cut.invalid.map((p) => p.where)).toEqual(["record 2"]);
    const broken = decodeLogText(`[${JSON.stringify(rec("A"))},{"eventName": x},${JSON.stringify(rec("C"))}]`, "a.json");
    expect(names(broken)).toEqual(["A", "C"]);
    expect(broken.invalid.map((p) => p.where)).toEqual(["record 1"]);
  });

  it("keeps every good record among thousands of broken ones on one long line, and counts each broken one", () => {
    // Prepare: every other record's userAgent lost its closing quote.
    const one = (i: number) => `{"eventVersion":"1.09","eventName":"E${i}","eventSource":"s3.amazonaws.com","eventTime":"t","userAgent":"aws-cli${i % 2 ? "" : '"'},"pad":"${"x".repeat(200)}"}`;
    const text = `{"Records":[${Array.from({ length: 4000 }, (_, i) => one(i)).join(",")}]}`;

    // Act
    const out = decodeLogText(text, "many.json");

    // Assess
    expect(out.records).toHaveLength(2000);
    expect(out.where!.slice(0, 3)).toEqual(["Records[0]", "Records[2]", "Records[4]"]);
    expect(out.invalid.length + (out.moreInvalid ?? 0)).toBe(2000);
    expect(out.invalid[0]).toMatchObject({ where: "Records[1]" });
    expect(out.error).toMatch(/\(and 1999 more fault\(s\)\); kept 2000 complete record\(s\), 2000 could not be read/);
  });

  it("says a file with nothing readable is invalid JSON, and says where", () => {
    expect(decodeLogText("hello world", "h.json").error).toBe("invalid JSON (unexpected 'h' at line 1 column 1): the 11 character(s) from there to the end hold nothing readable");
  });
});

describe("decodeLogText and the record limits", () => {
  const small = { ...READ_LIMITS, maxRecordBytes: 4096, maxRecordDepth: 8 };

  it("refuses a record over the size limit, unparsed, and keeps the others, on an intact file too", () => {
    // Prepare: an intact document bigger than the record limit, with one big record in the middle.
    const records = [rec("A"), rec("B", { requestParameters: { blob: "x".repeat(10_000) } }), rec("C")];
    const out = decodeLogText(JSON.stringify({ Records: records }), "big.json", small);
    expect(names(out)).toEqual(["A", "C"]);
    expect(problems(out)).toEqual([expect.stringMatching(/^Records\[1\]: record is 9\.\d KiB, more than the 4 KiB limit for one record; not read$/)]);
    expect(out.error).toBeUndefined();
  });

  it("reads intact big files whose records are all small on the fast path (the eventVersion-key check)", () => {
    const many = Array.from({ length: 200 }, (_, i) => rec(`E${i}`));
    const out = decodeLogText(JSON.stringify({ Records: many }), "ok.json", small);
    expect(out.records).toHaveLength(200);
    expect(out.where).toBeUndefined();
    expect(out.invalid).toEqual([]);
  });

  it("refuses a record nested deeper than the limit where it reads record by record, without recursing", () => {
    const deep = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
    const text = `{"Records":[${JSON.stringify(rec("A"))},{"eventName":"D","eventSource":"s","eventTime":"t","x":${deep}},${JSON.stringify(rec("C"))}]}junk`;
    const out = decodeLogText(text, "deep.json", small);
    expect(names(out)).toEqual(["A", "C"]);
    expect(problems(out)).toEqual(["Records[1]: nested deeper than 8 levels (the limit for one record); not read"]);
  });

  it("uses the named limits by default: 2 MiB and 64 levels, density checked over 8 MiB", () => {
    expect(READ_LIMITS.maxRecordBytes).toBe(2 * 2 ** 20);
    expect(READ_LIMITS.maxRecordDepth).toBe(64);
    expect(READ_LIMITS.densityCheckBytes).toBe(8 * 2 ** 20);
  });

  it("finishes on pathological damage (every '{' a candidate, nothing parses) with a report", () => {
    const hostile = '{"Records":[' + '{"eventVersion":"1", {"a":[{'.repeat(50_000);
    const out = decodeLogText(hostile, "p.json");
    expect(out.records).toEqual([]);
    expect(out.error).toMatch(/^invalid JSON/);
    expect(out.invalid.length).toBeGreaterThan(0);
  });
});

describe("trailwatch's own output", () => {
  const alert = { id: "x", rule: "cloudtrail.logging-stopped", title: "t", severity: "critical", summary: "s", eventName: "StopLogging", eventSource: "cloudtrail.amazonaws.com", eventTime: "t", context: {} };

  it("is recognised (JSON Lines and JSON) and not read as CloudTrail, though alerts carry eventName and eventSource", () => {
    expect(isTrailwatchAlert(alert)).toBe(true);
    expect(isTrailwatchAlert(rec("A"))).toBe(false);
    expect(decodeLogText([alert, alert].map((a) => JSON.stringify(a)).join("\n"), "alerts.jsonl")).toEqual({ records: [], invalid: [], notCloudTrail: "trailwatch's own output (2 alert(s) written by trailwatch scan)" });
    expect(decodeLogText(JSON.stringify([alert], null, 2), "alerts.json").notCloudTrail).toMatch(/trailwatch's own output \(1 alert/);
  });

  it("is reported as not a record when mixed into CloudTrail data", () => {
    const out = decodeLogText([JSON.stringify(rec("A")), JSON.stringify(alert)].join("\n"), "mixed.jsonl");
    expect(names(out)).toEqual(["A"]);
    expect(problems(out)).toEqual(["line 2: a trailwatch alert (trailwatch's own output), not a CloudTrail record"]);
  });
});

describe("decodeLogText and memory", () => {
  it("reads text too dense to parse whole (more than one object per 16 bytes) record by record, keeping counts not lists", () => {
    // Prepare: empty objects (parsed whole: about 20 bytes of memory per byte of text), a real record at
    // the end; the density check from 64 KiB instead of 8 MiB, to keep the test small.
    const n = 50_000;
    const text = "[" + "{},".repeat(n) + JSON.stringify(rec("Z")) + "]";

    // Act
    const out = decodeLogText(text, "dense.json", { ...READ_LIMITS, densityCheckBytes: 64 * 1024 });

    // Assess: the real record is read; the non-records are counted, 1,000 listed.
    expect(names(out)).toEqual(["Z"]);
    expect(out.invalid).toHaveLength(1000);
    expect(out.invalid[0]).toEqual({ source: "dense.json", position: 0, where: "record 0", reason: "eventName is missing or not a non-empty string" });
    expect(out.moreInvalid).toBe(n - 1000);
    expect(out.where).toEqual([`record ${n}`]);
    // The default checks texts over 8 MiB only: this one is parsed whole there (same records, fast path).
    expect(names(decodeLogText(text, "dense.json"))).toEqual(["Z"]);
  });
});
