import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { zipSync, strToU8 } from "fflate";
import { LocalLogSource } from "../../../functions/adapters/local/log-source";
import { scanLogs } from "../../../functions/core/scan";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { catalog } from "../../../functions/core/rules/catalog";
import { READ_LIMITS } from "../../../functions/core/record/limits";

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

  it("reports a path that does not exist as an error, never as a file read", async () => {
    const result = await scanLogs(new LocalLogSource([join(dir, "nope")]), new RuleEngine(catalog));
    expect(result.fileErrors).toEqual([{ source: join(dir, "nope"), reason: "no such file or directory" }]);
    expect(result.stats).toMatchObject({ filesSeen: 1, filesRead: 0, filesWithErrors: 1 });
  });

  it("walks symbolic link loops once, reads a file reached through two links once, and names each", async () => {
    // Prepare: two loops (to the parent and to the root), a link to itself, a second link to a file, a dangling link.
    const root = join(dir, "links");
    const deep = join(root, "a", "b");
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, "f.json"), JSON.stringify({ Records: [stop] }));
    symlinkSync("..", join(deep, "up"));
    symlinkSync(root, join(deep, "to-root"));
    symlinkSync("self", join(root, "self"));
    symlinkSync(join(deep, "f.json"), join(root, "again.json"));
    symlinkSync(join(root, "gone"), join(root, "dangling.json"));

    // Act: the root given twice, as the CLI allows.
    const source = new LocalLogSource([root, root]);
    const refs = [];
    for await (const f of source.files()) refs.push(f);
    const result = await scanLogs(new LocalLogSource([root, root]), new RuleEngine(catalog));

    // Assess: one read, one alert; every loop and second link is named with where it leads.
    expect(refs.filter((r) => !r.skip && !r.error).map((r) => r.id)).toEqual([join(deep, "f.json")]);
    expect(result.stats).toMatchObject({ filesRead: 1, records: 1 });
    expect(result.alerts.map((a) => a.rule)).toEqual(["cloudtrail.logging-stopped"]);
    expect(Object.fromEntries(result.skipped.map((s) => [s.source.slice(root.length), s.reason]))).toEqual({
      "/a/b/up": `symbolic link loop: leads back to ${join(root, "a")}, which is being read`,
      "/a/b/to-root": `symbolic link loop: leads back to ${root}, which is being read`,
      "/again.json": `same file as ${join(deep, "f.json")} (reached through another link); read once`,
      "/self": "symbolic link loop (the link resolves to itself)",
      "": `same directory as ${root} (reached through a link); read once`,
    });
    expect(result.fileErrors).toEqual([{ source: join(root, "dangling.json"), reason: "broken symbolic link (its target does not exist)" }]);
  });

  it("reads at most the file limit of a file that is bigger, and says so", async () => {
    const big = join(dir, "limit");
    mkdirSync(big);
    writeFileSync(join(big, "big.json"), records(3000));
    const limits = { ...READ_LIMITS, maxStoredBytes: 100_000 };
    const result = await scanLogs(new LocalLogSource([big], { limits }), new RuleEngine(catalog));
    expect(result.fileErrors).toEqual([{ source: join(big, "big.json"), reason: expect.stringMatching(/^file is \d+(\.\d)? KiB, more than the 97\.7 KiB limit for one file; read its first 97\.7 KiB; invalid JSON: the file ends inside a record/) }]);
    expect(result.stats.records).toBeGreaterThan(10);
    expect(result.stats.bytes).toBe(100_000);
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
