import { decodeLogText } from "../../../functions/core/record/decode";

const rec = (n: string) => ({ eventName: n, eventSource: "s3.amazonaws.com", eventTime: "2026-01-01T00:00:00Z" });

describe("decodeLogText", () => {
  it("reads the S3 delivery shape and reports records without required fields by position", () => {
    const text = JSON.stringify({ Records: [rec("A"), { eventSource: "x", eventTime: "t" }, rec("C")] });
    const out = decodeLogText(text, "f.json");
    expect(out.records.map((r) => r.eventName)).toEqual(["A", "C"]);
    expect(out.invalid).toEqual([{ source: "f.json", position: 1, where: "Records[1]", reason: "eventName is missing or not a non-empty string" }]);
  });

  it("reads JSON Lines and keeps good lines around a broken one", () => {
    const text = [JSON.stringify(rec("A")), "{not json", JSON.stringify({ event: rec("B") })].join("\n");
    const out = decodeLogText(text, "f.jsonl");
    expect(out.records.map((r) => r.eventName)).toEqual(["A", "B"]);
    expect(out.invalid[0]).toMatchObject({ where: "line 2", position: 2 });
  });

  it("salvages complete records from a truncated Records array", () => {
    const full = JSON.stringify({ Records: [rec("A"), rec("B"), rec("C")] });
    const out = decodeLogText(full.slice(0, full.length - 20), "t.json");
    expect(out.records.map((r) => r.eventName)).toEqual(["A", "B"]);
    expect(out.error).toMatch(/invalid JSON: the file ends inside a record \(truncated\)/);
    expect(out.invalid).toEqual([expect.objectContaining({ where: "Records[2]", reason: "cut off at the end of the file; not read" })]);
  });

  it("treats an empty file and a missing Records array as errors, and a digest as not CloudTrail", () => {
    expect(decodeLogText("  \n", "e.json").error).toMatch(/empty/);
    expect(decodeLogText('{"foo":1}', "AWSLogs/1/CloudTrail/us-east-1/x.json").error).toMatch(/Records/);
    expect(decodeLogText('{"foo":1}', "logs/1_CloudTrail_us-east-1_x.json").error).toMatch(/Records/);
    expect(decodeLogText('{"foo":1}', "demo/manifest.json").notCloudTrail).toMatch(/without a "Records" array/);
    expect(decodeLogText('{"digestStartTime":"x"}', "d.json").notCloudTrail).toMatch(/digest/);
  });
});
