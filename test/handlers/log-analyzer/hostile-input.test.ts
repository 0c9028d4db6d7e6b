import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CONTEXT, captureStdout, s3Notification, sqsEvent, startHarness, type Harness } from "./harness";
import { logKey } from "./records";
import { gzipBomb, zipBomb } from "../../support/hostile-input";

/** The log analyzer (S3 -> decode -> rules -> SNS) on the hostile-input corpus, against s3rver and dynalite. */
const INPUT = join(__dirname, "..", "..", "fixtures", "hostile", "input");

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Puts `body` under a fresh log key, runs the analyzer on its notification; returns the outcome, alerts sent and log lines. */
async function analyze(body: Buffer, name: string) {
  const key = logKey(`${name}-${++n}`);
  await h.putRaw(key, body);
  const before = h.sent().length;
  const { result, lines } = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([key])]), CONTEXT));
  return { result, rules: h.sent().slice(before).map((a) => a.rule).sort(), lines, key };
}

describe("the log analyzer on hostile input", () => {
  it("stops a 2 GiB gzip bomb at the limit, alerts on the record before it, and logs the file with the limit (the batch does not fail)", async () => {
    const r = await analyze(gzipBomb(2), "bomb");
    expect({ result: r.result, failed: r.lines.filter((l) => l.level === "ERROR") }).toEqual({ result: { batchItemFailures: [] }, failed: [] });
    expect(r.rules).toEqual(["cloudtrail.logging-stopped"]);
    const warn = r.lines.find((l) => l.message === "object partly unreadable; its good records were analyzed");
    expect(warn).toMatchObject({ object: expect.stringContaining(r.key), problem: expect.stringMatching(/^inflates to more than 128 MiB, the limit for one file; stopped there and read the first 128 MiB/) });
  });

  it("stops a zip bomb at the archive limit and alerts on what came before it", async () => {
    const r = await analyze(zipBomb(40, 64), "zip-bomb");
    expect(r.result).toEqual({ batchItemFailures: [] });
    expect(r.rules).toEqual(["cloudtrail.logging-stopped"]);
  });

  it.each([
    ["broken-string.json", ["cloudtrail.logging-stopped", "iam.admin-policy-attached"]],
    ["gzip-bad-crc.json.gz", ["cloudtrail.logging-stopped", "iam.admin-policy-attached"]],
    ["concatenated-documents.json", ["cloudtrail.logging-stopped", "iam.admin-policy-attached"]],
    ["deep-record.json", ["cloudtrail.logging-stopped", "iam.admin-policy-attached"]],
  ])("still sends every alert of %s", async (file, rules) => {
    // The analyzer reads objects gzipped or not; plain fixtures are gzipped as CloudTrail delivers them.
    const raw = readFileSync(join(INPUT, file));
    const r = await analyze(file.endsWith(".gz") ? raw : gzipSync(raw), file.replace(/\..*/, ""));
    expect(r.result).toEqual({ batchItemFailures: [] });
    expect(r.rules).toEqual(rules);
  });

  it("skips trailwatch's own alerts put in the bucket, with the reason, and sends nothing", async () => {
    const r = await analyze(gzipSync(readFileSync(join(INPUT, "trailwatch-alerts.jsonl"))), "alerts");
    expect(r.result).toEqual({ batchItemFailures: [] });
    expect(r.rules).toEqual([]);
    expect(r.lines.find((l) => l.message === "object is not a CloudTrail log")).toMatchObject({ reason: "not CloudTrail: trailwatch's own output (2 alert(s) written by trailwatch scan)" });
  });
});
