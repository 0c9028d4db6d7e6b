import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { zipSync, strToU8 } from "fflate";
import { LocalLogSource } from "../../../functions/adapters/local/log-source";
import { scanLogs } from "../../../functions/core/scan";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { catalog } from "../../../functions/core/rules/catalog";

const rec = (i: number, name = "DescribeInstances") => ({
  eventVersion: "1.08", eventTime: `2026-11-20T10:${String(i % 60).padStart(2, "0")}:00Z`, eventSource: "ec2.amazonaws.com", eventName: name,
  awsRegion: "us-east-1", recipientAccountId: "111122223333", eventID: `id-${i}`, requestParameters: null,
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice", userName: "alice" },
});
const stop = { ...rec(99, "StopLogging"), eventSource: "cloudtrail.amazonaws.com", requestParameters: { name: "org-trail" } };
const records = (n: number) => JSON.stringify({ Records: Array.from({ length: n }, (_, i) => rec(i)) });

describe("LocalLogSource with scanLogs", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-src-"));
    const logs = join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20");
    mkdirSync(logs, { recursive: true });
    mkdirSync(join(dir, "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20"), { recursive: true });
    writeFileSync(join(logs, "good.json.gz"), gzipSync(JSON.stringify({ Records: [rec(1), stop, rec(2)] })));
    const full = gzipSync(records(200));
    writeFileSync(join(logs, "truncated.json.gz"), full.subarray(0, Math.floor(full.length * 0.6)));
    writeFileSync(join(logs, "not-gzip.json.gz"), records(3));
    writeFileSync(join(logs, "invalid.json"), '{"Records": [' + JSON.stringify(rec(5)) + ", {oops}, " + JSON.stringify(rec(6)) + "]}");
    writeFileSync(join(logs, "no-records.json"), JSON.stringify({ records: [rec(1)] }));
    writeFileSync(join(logs, "empty.json"), "");
    writeFileSync(join(logs, "lines.jsonl"), [JSON.stringify(rec(7)), JSON.stringify({ eventSource: "x" }), JSON.stringify(rec(8))].join("\n"));
    writeFileSync(join(logs, "array.json"), JSON.stringify([rec(9), rec(10)]));
    writeFileSync(join(logs, "single.json"), JSON.stringify(rec(11)));
    writeFileSync(join(logs, "bundle.zip"), zipSync({ "a.json": strToU8(records(4)), "b.json.gz": gzipSync(records(2)) }));
    writeFileSync(join(logs, "notes.txt"), "not a log");
    writeFileSync(join(dir, "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/x_CloudTrail-Digest_x.json.gz"), gzipSync("{}"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads every good record of every file and names each file that could not be read, with the reason", async () => {
    // Act
    const result = await scanLogs(new LocalLogSource([dir]), new RuleEngine(catalog));
    // Assess: the stop-logging alert came through despite the bad neighbours
    expect(result.alerts.map((a) => a.rule)).toContain("cloudtrail.logging-stopped");
    const errors = Object.fromEntries(result.fileErrors.map((e) => [e.source.split("/").pop(), e.reason]));
    expect(errors["truncated.json.gz"]).toMatch(/gzip data is truncated.*the file ends inside a record/);
    expect(errors["not-gzip.json.gz"]).toMatch(/not gzip/);
    expect(errors["invalid.json"]).toMatch(/invalid JSON \(expected a key but found 'o' at line 1 column \d+\).*kept 2 complete record/);
    expect(errors["no-records.json"]).toMatch(/without a "Records" array/);
    expect(errors["empty.json"]).toMatch(/empty file/);
    expect(Object.keys(errors).sort()).toEqual(["empty.json", "invalid.json", "no-records.json", "not-gzip.json.gz", "truncated.json.gz"]);
    // good: 3 + 2 (invalid.json recovered) + 2 (jsonl) + 2 (array) + 1 (single) + 6 (zip) + the part of truncated before the fault
    const truncatedRecords = result.stats.records - 16;
    expect(truncatedRecords).toBeGreaterThan(50);
    expect(truncatedRecords).toBeLessThan(200);
    expect(result.invalidRecords.map((p) => `${p.source.split("/").pop()} ${p.where}`)).toEqual(
      expect.arrayContaining(["invalid.json Records[1]", "lines.jsonl line 2"]),
    );
    expect(result.skipped.map((s) => s.reason).sort()).toEqual([
      "CloudTrail digest file (integrity data, no events)",
      "not a log file name (.json, .json.gz, .jsonl, .gz, .zip)",
    ]);
  });

  it("reports a path that does not exist as an error instead of passing quietly", async () => {
    const result = await scanLogs(new LocalLogSource([join(dir, "nope")]), new RuleEngine(catalog));
    expect(result.fileErrors).toEqual([{ source: join(dir, "nope"), reason: "no such file or directory" }]);
  });

  it("reads a 100 MB file whole", async () => {
    const big = join(dir, "big");
    mkdirSync(big);
    const one = JSON.stringify(rec(1));
    const n = Math.ceil((100 * 2 ** 20) / one.length);
    writeFileSync(join(big, "big.json.gz"), gzipSync(records(n), { level: 1 }));
    const result = await scanLogs(new LocalLogSource([big]), new RuleEngine(catalog));
    expect(result.fileErrors).toEqual([]);
    expect(result.stats.records).toBe(n);
    expect(result.stats.bytes).toBeGreaterThan(100 * 2 ** 20);
  });
});
