import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { orgTrailFiles, uploadFiles, writeLocalCopy, type TrailFile } from "../support/cloudtrail-bucket";
import { digestChain, hourlyEnds, testSigningKey, type DigestFile, type TestSigningKey } from "../support/cloudtrail-digests";
import type { LocalS3 } from "../support/s3rver";
import { startS3rverProcess } from "../support/s3rver-process";

const BIN = join(__dirname, "../../functions/cli/bin.cjs");
const BUCKET = "verify-trail";
const ORG = "o-uvwxyzabcd";
const ACCOUNTS = ["111111111111", "222222222222"];
const REGIONS = ["us-east-1", "eu-west-1"];

function trailwatch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1", AWS_EC2_METADATA_DISABLED: "true", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** What `aws cloudtrail list-public-keys` prints, saved for offline use. */
function keyFile(dir: string, key: TestSigningKey): string {
  const path = join(dir, "public-keys.json");
  writeFileSync(path, JSON.stringify({ PublicKeyList: [{ ValidityStartTime: Date.parse("2026-11-01T00:00:00Z") / 1000, ValidityEndTime: Date.parse("2026-12-01T00:00:00Z") / 1000, Value: key.publicDer.toString("base64"), Fingerprint: key.fingerprint }] }));
  return path;
}

describe("trailwatch verify", () => {
  let key: TestSigningKey;
  let files: TrailFile[];
  let digests: DigestFile[];
  let dir: string;
  let keys: string;

  beforeAll(() => {
    key = testSigningKey();
    files = orgTrailFiles({ organizationId: ORG, accounts: ACCOUNTS, regions: REGIONS, days: ["2026-11-20"] });
    digests = ACCOUNTS.flatMap((account) => REGIONS.flatMap((region) => digestChain({ bucket: BUCKET, organizationId: ORG, account, region, ends: hourlyEnds("2026-11-20T08:01:31Z", 10), files, key })));
    dir = mkdtempSync(join(tmpdir(), "tw-verify-"));
    keys = keyFile(dir, key);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe("a local copy (sidecar metadata for the newest digest of each chain only)", () => {
    let copy: string;
    beforeAll(() => {
      copy = join(dir, "copy");
      writeLocalCopy(copy, [...files, ...digests]);
      // Only the newest digest of each chain has its S3 metadata saved; the others are checked with
      // the signature their successor recorded.
      for (const d of digests.filter((d) => d.end.toISOString().startsWith("2026-11-20T17"))) writeFileSync(join(copy, ...d.key.split("/")) + ".metadata.json", JSON.stringify(d.metadata));
    });

    it("finds everything valid, shows the summary table, and exits 0", async () => {
      const r = await trailwatch(["verify", copy, "--public-keys", keys]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/digest files\s*│\s*40\s*│\s*0\s*│\s*0/);
      expect(r.stdout).toMatch(/log files\s*│\s*8\s*│/);
      expect(r.stdout).toContain("Every digest and log file checked is valid.");
    });

    it("names a modified log file and a forged one, and exits 4; --format json carries every file", async () => {
      // Prepare
      const victim = join(copy, ...files[0]!.key.split("/"));
      const original = readFileSync(victim);
      writeFileSync(victim, gzipSync(JSON.stringify({ Records: files[0]!.records.slice(1) })));
      const forged = join(copy, ...files[1]!.key.replace(/_[^_]+\.json\.gz$/, "_FORGED.json.gz").split("/"));
      writeFileSync(forged, readFileSync(join(copy, ...files[1]!.key.split("/"))));
      try {
        // Act
        const table = await trailwatch(["verify", copy, "--public-keys", keys]);
        const json = await trailwatch(["verify", copy, "--public-keys", keys, "--format", "json"]);
        // Assess
        expect(table.code).toBe(4);
        expect(table.stdout).toMatch(/modified\s*│\s*log/);
        expect(table.stdout).toMatch(/not-covered\s*│\s*log/);
        const report = JSON.parse(json.stdout) as { logs: { id: string; status: string }[] };
        expect(report.logs.find((l) => l.id === victim)!.status).toBe("modified");
        expect(report.logs.find((l) => l.id === forged)!.status).toBe("not-covered");
        expect(report.logs.filter((l) => l.status === "valid")).toHaveLength(7);
      } finally {
        writeFileSync(victim, original);
        unlinkSync(forged);
      }
    });

    it("cannot check the newest digest of a chain without its metadata, and says what to do", async () => {
      const newest = digests.find((d) => d.end.toISOString().startsWith("2026-11-20T17"))!;
      const sidecar = join(copy, ...newest.key.split("/")) + ".metadata.json";
      const saved = readFileSync(sidecar);
      unlinkSync(sidecar);
      try {
        const r = await trailwatch(["verify", copy, "--public-keys", keys, "--format", "json"]);
        expect(r.code).toBe(4);
        const report = JSON.parse(r.stdout) as { digests: { id: string; status: string; reason?: string }[] };
        const bad = report.digests.filter((d) => d.status !== "valid");
        // Without the newest signature nothing in that chain can be vouched for.
        expect(bad).toHaveLength(10);
        expect(bad[0]!.reason).toMatch(/save the S3 metadata beside the file as <name>\.metadata\.json/);
      } finally {
        writeFileSync(sidecar, saved);
      }
    });

    it("refuses a key file that is not a list-public-keys output", async () => {
      const bad = join(dir, "bad-keys.json");
      writeFileSync(bad, "{}");
      const r = await trailwatch(["verify", copy, "--public-keys", bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/expected the output of aws cloudtrail list-public-keys/);
    });
  });

  describe("an S3 bucket (s3rver; signatures in the objects' metadata)", () => {
    let s3: LocalS3;
    const env = () => ({ AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" });
    beforeAll(async () => {
      s3 = await startS3rverProcess({ buckets: [BUCKET], exactDelimiterListing: true });
      await uploadFiles(s3.client, BUCKET, [...files, ...digests]);
    });
    afterAll(() => s3.stop());

    it("checks the window's digests and files, and reports a deleted log file and a missing digest", async () => {
      // Prepare: one log file and one digest deleted from the bucket.
      const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
      const goneLog = files.find((f) => f.account === ACCOUNTS[1] && f.region === "eu-west-1" && f.delivered.getUTCHours() === 15)!;
      const goneDigest = digests.find((d) => d.key.includes(`/${ACCOUNTS[0]}/`) && d.key.includes("/us-east-1/") && d.end.getUTCHours() === 12)!;
      await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: goneLog.key }));
      await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: goneDigest.key }));
      // Act
      const r = await trailwatch(["verify", `s3://${BUCKET}/AWSLogs/${ORG}/`, "--from", "2026-11-20T08:00", "--to", "2026-11-20T16:00", "--public-keys", keys, "--format", "json"], env());
      // Assess
      expect(r.code).toBe(4);
      const report = JSON.parse(r.stdout) as { digests: { id: string; status: string }[]; logs: { id: string; status: string }[] };
      expect(report.digests.filter((d) => d.status !== "valid")).toEqual([expect.objectContaining({ id: `s3://${BUCKET}/${goneDigest.key}`, status: "missing" })]);
      expect(report.logs.filter((l) => l.status !== "valid")).toEqual([expect.objectContaining({ id: `s3://${BUCKET}/${goneLog.key}`, status: "deleted" })]);
      expect(report.logs).toHaveLength(8);
      // Digests ending 08:01 to 18:01 (the window plus the two hours that still list its files), four chains, less the deleted one.
      expect(report.digests.filter((d) => d.status === "valid")).toHaveLength(4 * 10 - 1);
    });
  });
});

describe("trailwatch scan --verify", () => {
  let key: TestSigningKey;
  let files: TrailFile[];
  let digests: DigestFile[];
  let dir: string;
  let keys: string;

  beforeAll(() => {
    key = testSigningKey();
    files = orgTrailFiles({ accounts: ["333333333333"], regions: ["us-east-1"], days: ["2026-11-20"] });
    digests = digestChain({ bucket: BUCKET, account: "333333333333", region: "us-east-1", ends: hourlyEnds("2026-11-20T08:01:31Z", 10), files, key });
    dir = mkdtempSync(join(tmpdir(), "tw-scan-verify-"));
    keys = keyFile(dir, key);
    writeLocalCopy(join(dir, "copy"), [...files, ...digests]);
    for (const d of digests.slice(-1)) writeFileSync(join(dir, "copy", ...d.key.split("/")) + ".metadata.json", JSON.stringify(d.metadata));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("marks each alert with the integrity of the file it came from, and exits 4 when a file read was changed", async () => {
    // Prepare: the 15:05 file is rewritten (its StopLogging kept, a second one added).
    const victim = join(dir, "copy", ...files[1]!.key.split("/"));
    const original = readFileSync(victim);
    writeFileSync(victim, gzipSync(JSON.stringify({ Records: [...files[1]!.records, { ...files[1]!.records[0]!, eventID: "added" }] })));
    try {
      // Act
      const r = await trailwatch(["scan", join(dir, "copy"), "--verify", "--public-keys", keys, "--format", "jsonl"]);
      // Assess
      expect(r.code).toBe(4);
      const alerts = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { eventId: string; context: { logIntegrity: { status: string; files: { file: string }[] } } });
      const status = Object.fromEntries(alerts.map((a) => [a.eventId, a.context.logIntegrity.status]));
      expect(status[files[0]!.records[0]!.eventID as string]).toBe("valid");
      expect(status[files[1]!.records[0]!.eventID as string]).toBe("modified");
      expect(status.added).toBe("modified");
      expect(alerts.find((a) => a.eventId === "added")!.context.logIntegrity.files).toEqual([expect.objectContaining({ file: victim })]);
      expect(r.stderr).toMatch(/2 alert\(s\) come from log files that are not proven CloudTrail's/);
    } finally {
      writeFileSync(victim, original);
    }
  });

  it("exits 0 with every alert marked valid when nothing was changed; --fail-on still wins", async () => {
    const r = await trailwatch(["scan", join(dir, "copy"), "--verify", "--public-keys", keys, "--format", "json"]);
    expect(r.code).toBe(0);
    const alerts = JSON.parse(r.stdout) as { context: { logIntegrity: { status: string } } }[];
    expect(alerts.map((a) => a.context.logIntegrity.status)).toEqual(["valid", "valid"]);
    expect((await trailwatch(["scan", join(dir, "copy"), "--verify", "--public-keys", keys, "--fail-on", "high"])).code).toBe(3);
  });

  it("on S3, reuses the bodies the scan fetched instead of downloading the log files again", async () => {
    // Prepare: s3rver behind a proxy that only counts (it denies a prefix that does not exist).
    const s3 = await startS3rverProcess({ buckets: [BUCKET], exactDelimiterListing: true });
    const { startDenyProxy } = await import("../support/s3-deny-proxy");
    const proxy = await startDenyProxy(s3.endpoint, "nothing-here/");
    try {
      await uploadFiles(s3.client, BUCKET, [...files, ...digests]);
      // Act
      const r = await trailwatch(["scan", `s3://${BUCKET}/`, "--from", "2026-11-20T08:00", "--to", "2026-11-20T16:00", "--verify", "--public-keys", keys, "--format", "jsonl"], {
        AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1",
      });
      // Assess
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l).context.logIntegrity.status)).toEqual(["valid", "valid"]);
      for (const f of files) expect(proxy.requests.filter((q) => q.startsWith("GET") && q.includes(encodeURIComponent(f.key.split("/").pop()!)))).toHaveLength(1);
    } finally {
      await proxy.stop();
      await s3.stop();
    }
  });
});
