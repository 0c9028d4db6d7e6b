import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import { MemoryThresholdStore } from "../../functions/adapters/local/memory-threshold-store";
import { main } from "../../functions/cli/main";
import { scanWithWorkers } from "../../functions/cli/scan-pool/pool";
import type { Alert } from "../../functions/core/alert/alert";
import type { LogFileRef } from "../../functions/core/ports";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { ThresholdTracker } from "../../functions/core/rules/threshold-tracker";
import { scanLogs, type ScanResult } from "../../functions/core/scan";
import { generateOrganization } from "../../scripts/generator";

/** The worker pool must give what one thread gives, whatever the timing (see functions/cli/scan-pool). */
const FIXTURES = join(__dirname, "..", "fixtures");
const NOW = () => new Date("2026-12-01T00:00:00Z");

async function listed(paths: string[]): Promise<LogFileRef[]> {
  const refs: LogFileRef[] = [];
  for await (const f of new LocalLogSource(paths).files()) refs.push(f);
  return refs;
}

async function oneThread(paths: string[]): Promise<{ result: ScanResult; alertFiles: [string, string][] }> {
  const alertFiles: [string, string][] = [];
  const result = await scanLogs(new LocalLogSource(paths), new RuleEngine(catalog), {
    thresholds: new ThresholdTracker(new MemoryThresholdStore(), { now: NOW }),
    onFinding: (_f, a, file) => alertFiles.push([a.id, file.id]),
    onThresholdAlert: (a, file) => alertFiles.push([a.id, file.id]),
  });
  return { result, alertFiles };
}

async function pooled(paths: string[], jobs: number, bundle = true): Promise<{ result: ScanResult; alertFiles: [string, string][]; workerOf: Map<string, number> }> {
  const alertFiles: [string, string][] = [];
  const workerOf = new Map<string, number>();
  const result = await scanWithWorkers(await listed(paths), {
    jobs, engine: new RuleEngine(catalog), engineOptions: {}, thresholds: new ThresholdTracker(new MemoryThresholdStore(), { now: NOW }),
    onAlert: (a: Alert, file: LogFileRef) => alertFiles.push([a.id, file.id]),
    onFileDone: (file, w) => workerOf.set(file.id, w),
    bundle,
  });
  return { result, alertFiles, workerOf };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tw-pool-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("scanning with worker threads", () => {
  it("gives what one thread gives on every fixture and corpus file, damaged ones included", async () => {
    const one = await oneThread([FIXTURES]);
    const two = await pooled([FIXTURES], 2);
    expect(two.result).toEqual(one.result);
    expect(two.alertFiles).toEqual(one.alertFiles);
    expect(one.result.fileErrors.length).toBeGreaterThan(3);
    // Workers started from the TypeScript sources (no bundle) give the same.
    const sources = await pooled([FIXTURES], 2, false);
    expect(sources.result).toEqual(one.result);
    expect(sources.alertFiles).toEqual(one.alertFiles);
  });

  it("gives what one thread gives on a generated organization, with two and three workers", async () => {
    await generateOrganization({ outDir: dir, seed: "pool", days: 2, endDate: "2026-11-20", recordsPerDay: 2000, maxRecordsPerFile: 300 });
    const one = await oneThread([dir]);
    expect(one.result.alerts.length).toBeGreaterThan(0);
    for (const jobs of [2, 3]) {
      const many = await pooled([dir], jobs);
      expect(many.result).toEqual(one.result);
      expect(many.alertFiles).toEqual(one.alertFiles);
      expect(new Set(many.workerOf.values()).size).toBe(jobs);
    }
  });

  it("counts a burst split across files that different workers read as one thread counts it: one alert, from the file that completed it", async () => {
    // Prepare: twelve different secrets read by one role within three minutes, in three files; the
    // middle file is the largest (routine calls around the reads), so it and the last go to different workers.
    const role = { type: "AssumedRole", principalId: "AROAEXAMPLE:harvest", arn: "arn:aws:sts::111122223333:assumed-role/ops/harvest", accountId: "111122223333", accessKeyId: "ASIAHARVEST", sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/ops", accountId: "111122223333", userName: "ops" } } };
    const read = (minute: number, k: number) => ({
      eventVersion: "1.09", userIdentity: role, eventTime: `2026-11-19T10:0${minute}:${String(k * 7).padStart(2, "0")}Z`, eventSource: "secretsmanager.amazonaws.com", eventName: "GetSecretValue",
      awsRegion: "eu-west-1", sourceIPAddress: "203.0.113.9", userAgent: "aws-cli/2.15", requestParameters: { secretId: `prod/db-${minute}-${k}` }, responseElements: null,
      requestID: `q-${minute}-${k}`, eventID: `e-${minute}-${k}`, readOnly: true, eventType: "AwsApiCall", recipientAccountId: "111122223333",
    });
    const routine = (k: number) => ({ ...read(1, 0), userIdentity: { ...role, accessKeyId: "ASIAAPP", arn: "arn:aws:sts::111122223333:assumed-role/app/i-1" }, eventSource: "dynamodb.amazonaws.com", eventName: "GetItem", requestParameters: { tableName: "t" }, eventID: `r-${k}`, requestID: `rq-${k}` });
    const file = (name: string, records: object[]) => writeFileSync(join(dir, `111122223333_CloudTrail_eu-west-1_20261119T10${name}.json.gz`), gzipSync(JSON.stringify({ Records: records })));
    file("00Z_a", [0, 1, 2, 3].map((k) => read(0, k)));
    file("01Z_b", [...Array.from({ length: 3000 }, (_, k) => routine(k)), ...[0, 1, 2, 3].map((k) => read(1, k))]);
    file("02Z_c", [...Array.from({ length: 500 }, (_, k) => routine(10_000 + k)), ...[0, 1, 2, 3].map((k) => read(2, k))]);

    // Act
    const one = await oneThread([dir]);
    const two = await pooled([dir], 2);

    // Assess: the files were read by different workers, and the result is the same.
    const w = (suffix: string) => [...two.workerOf].find(([id]) => id.endsWith(suffix))![1];
    expect(w("01Z_b.json.gz")).not.toBe(w("02Z_c.json.gz"));
    expect(two.result).toEqual(one.result);
    expect(two.alertFiles).toEqual(one.alertFiles);
    const bursts = two.result.alerts.filter((a) => a.rule === "secretsmanager.secrets-read-burst");
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.context.count).toBe(10);
    expect(two.alertFiles.find(([id]) => id === bursts[0]!.id)![1]).toMatch(/02Z_c\.json\.gz$/);
  });

  it("builds a record rule's threshold alert from a sample that crossed threads as text, as one thread builds it", async () => {
    // Prepare: one user reads the Windows password data of six instances, three per file; routine
    // calls make the first file the larger, so the two files go to different workers.
    const user = { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: "arn:aws:iam::111122223333:user/mallory", accountId: "111122223333", accessKeyId: "AKIAMALLORY", userName: "mallory" };
    const read = (k: number) => ({
      eventVersion: "1.09", userIdentity: user, eventTime: `2026-11-19T11:0${k}:00Z`, eventSource: "ec2.amazonaws.com", eventName: "GetPasswordData", awsRegion: "eu-west-1",
      sourceIPAddress: "198.51.100.4", userAgent: "aws-cli/2.15", requestParameters: { instanceId: `i-0000000000000000${k}` }, responseElements: null,
      requestID: `pw-${k}`, eventID: `pw-e-${k}`, readOnly: true, eventType: "AwsApiCall", recipientAccountId: "111122223333",
    });
    const routine = (k: number) => ({ ...read(0), eventName: "DescribeInstances", requestParameters: {}, eventID: `d-${k}`, requestID: `dq-${k}` });
    const file = (name: string, records: object[]) => writeFileSync(join(dir, `111122223333_CloudTrail_eu-west-1_20261119T11${name}.json.gz`), gzipSync(JSON.stringify({ Records: records })));
    file("00Z_a", [...Array.from({ length: 3000 }, (_, k) => routine(k)), ...[0, 1, 2].map(read)]);
    file("05Z_b", [3, 4, 5].map(read));

    // Act
    const one = await oneThread([dir]);
    const two = await pooled([dir], 2);

    // Assess: the alert names the fifth instance read (the threshold), in the second file, on both paths.
    expect(new Set(two.workerOf.values()).size).toBe(2);
    expect(two.result).toEqual(one.result);
    const bursts = two.result.alerts.filter((a) => a.rule === "ec2.password-data-read-burst");
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.eventId).toBe("pw-e-4");
    expect(bursts[0]!.principal).toBe("arn:aws:iam::111122223333:user/mallory");
    expect(bursts[0]!.context.sourceIPAddress).toBe("198.51.100.4");
  });

  it("goes on past a file a worker cannot read, reporting it as one thread does", async () => {
    writeFileSync(join(dir, "a.json.gz"), Buffer.from("1f8b08000000000000ff", "hex"));
    writeFileSync(join(dir, "b.json"), '{"Records":[{"eventVersion":"1.09","eventTime":"2026-11-19T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"requestParameters":{"name":"org-trail"}}');
    writeFileSync(join(dir, "c.json"), "not json at all");
    const one = await oneThread([dir]);
    const two = await pooled([dir], 2);
    expect(two.result).toEqual(one.result);
    expect(two.result.fileErrors.map((e) => e.source)).toHaveLength(3);
  });
});

describe("trailwatch scan --jobs", () => {
  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const so = jest.spyOn(process.stdout, "write").mockImplementation(((s: string | Uint8Array, cb?: unknown) => {
      out.push(String(s));
      if (typeof cb === "function") (cb as () => void)();
      return true;
    }));
    const se = jest.spyOn(process.stderr, "write").mockImplementation(((s: string | Uint8Array) => {
      err.push(String(s));
      return true;
    }));
    try {
      const code = await main(["node", "trailwatch", "scan", ...args]);
      return { code, out: out.join(""), err: err.join("") };
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
  }

  it("writes the same alerts and summary with 2 workers as with 1", async () => {
    const one = await cli(join(FIXTURES, "hostile", "input"), join(FIXTURES, "rules"), "--format", "jsonl", "--no-progress", "--jobs", "1");
    const two = await cli(join(FIXTURES, "hostile", "input"), join(FIXTURES, "rules"), "--format", "jsonl", "--no-progress", "--jobs", "2");
    expect(two.code).toBe(one.code);
    expect(two.out).toBe(one.out);
    expect(two.err).toBe(one.err);
    expect(one.out.split("\n").filter(Boolean).length).toBeGreaterThan(10);
  });

  it("writes the same with 2 workers as with 1 for a time window and a subset of rules with settings (decoded selectively)", async () => {
    const settings = join(dir, "settings.json");
    writeFileSync(settings, JSON.stringify({ "aws.access-denied-burst": { settings: { threshold: 3 } } }));
    const args = [join(FIXTURES, "rules"), join(FIXTURES, "corpora"), "--format", "jsonl", "--no-progress", "--from", "2019-01-01", "--to", "2026-10-15", "--rules", "aws.access-denied-burst,iam.root-activity,cloudtrail.logging-stopped,secretsmanager.secrets-read-burst", "--settings", settings];
    const one = await cli(...args, "--jobs", "1");
    const two = await cli(...args, "--jobs", "2");
    expect(two).toEqual(one);
    expect(one.out.split("\n").filter(Boolean).length).toBeGreaterThan(3);
  });

  it("writes the same with 2 workers as with 1 for a tuned rule set with rules of your own: rules switched off, severities, suppressions counted", async () => {
    // Prepare: the catalog tuned (one rule off, one re-ranked, one suppressed for a principal) and the example TypeScript and Sigma rules
    const settings = join(dir, "tuning.json");
    writeFileSync(settings, JSON.stringify({
      "iam.user-created": { enabled: false },
      "cloudtrail.logging-stopped": { severity: "medium" },
      "iam.root-activity": { suppressions: [{ account: "111122223333", reason: "test account" }, { region: "us-east-1", reason: "expired", expires: "2020-01-01" }] },
    }));
    const args = [join(FIXTURES, "rules"), join(FIXTURES, "corpora"), "--format", "jsonl", "--no-progress", "--settings", settings, "--rules-dir", join(__dirname, "..", "..", "examples", "rules")];
    // Act
    const one = await cli(...args, "--jobs", "1");
    const two = await cli(...args, "--jobs", "2");
    // Assess
    expect(two).toEqual(one);
    const rules = one.out.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { rule: string }).rule);
    expect(rules).not.toContain("iam.user-created");
    expect(rules.length).toBeGreaterThan(3);
    expect(one.err).toMatch(/Suppressed \d+ match\(es\)/);
  });

  it("writes the same with 2 workers as with 1 when the settings file names the rules folder (TypeScript rules loaded in each worker)", async () => {
    // Prepare
    const settings = join(dir, "rules.json");
    writeFileSync(settings, JSON.stringify({ folder: join(__dirname, "..", "..", "examples", "rules"), "iam.break-glass-role-assumed": { severity: "critical" } }));
    const args = [join(FIXTURES, "rules"), "--format", "jsonl", "--no-progress", "--settings", settings];
    // Act
    const one = await cli(...args, "--jobs", "1");
    const two = await cli(...args, "--jobs", "2");
    // Assess
    expect(two).toEqual(one);
    expect(one.err).not.toContain("cannot be loaded");
  });

  it.each(["0", "-1", "two", "65", "1.5"])("refuses --jobs %s with a usage error", async (v) => {
    const r = await cli(FIXTURES, "--jobs", v, "--no-progress");
    expect(r.code).toBe(1);
    expect(r.err).toContain("--jobs must be a whole number from 1 to 64");
  });
});
