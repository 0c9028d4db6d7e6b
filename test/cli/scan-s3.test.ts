import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { orgTrailFiles, uploadFiles, writeLocalCopy, type TrailFile } from "../support/cloudtrail-bucket";
import { startDenyProxy, type DenyProxy } from "../support/s3-deny-proxy";
import type { LocalS3 } from "../support/s3rver";
import { startS3rverProcess } from "../support/s3rver-process";

const BIN = join(__dirname, "../../functions/cli/bin.cjs");
const BUCKET = "cli-trail-logs";
const ORG = "o-klmnopqrst";
const DENIED = `trail/AWSLogs/${ORG}/222222222222/CloudTrail/us-east-1/`;

/** Runs the CLI against the local S3 endpoint (asynchronously: the proxy lives in this process). */
function trailwatch(args: string[], endpoint: string, extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env, NO_COLOR: "1", AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true", ...extra,
    };
    delete env.AWS_PROFILE;
    for (const [k, v] of Object.entries(env)) if (v === "") delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("trailwatch scan s3://", () => {
  let s3: LocalS3;
  let proxy: DenyProxy;
  let files: TrailFile[];
  let dir: string;

  beforeAll(async () => {
    s3 = await startS3rverProcess({ buckets: [BUCKET], exactDelimiterListing: true });
    files = orgTrailFiles({ organizationId: ORG, prefix: "trail/", accounts: ["111111111111", "222222222222"], regions: ["us-east-1", "eu-central-1"], days: ["2026-11-19", "2026-11-20"] });
    await uploadFiles(s3.client, BUCKET, files);
    dir = mkdtempSync(join(tmpdir(), "tw-cli-s3-"));
    writeLocalCopy(dir, files);
    // s3rver has no IAM: this proxy answers AccessDenied for one account's us-east-1 folder.
    proxy = await startDenyProxy(s3.endpoint, DENIED);
  });
  afterAll(async () => {
    await proxy.stop();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the same alerts as a local scan of the same window, and exit status 0 when everything was read", async () => {
    // Act
    const remote = await trailwatch(["scan", `s3://${BUCKET}/trail/`, "--from", "2026-11-20", "--accounts", "111111111111", "--format", "jsonl"], s3.endpoint);
    const local = await trailwatch(["scan", join(dir, "trail", "AWSLogs", ORG, "111111111111"), "--from", "2026-11-20", "--to", "2026-11-20", "--format", "jsonl"], s3.endpoint);
    // Assess
    expect(remote.stderr).toMatch(/4 file\(s\) read/);
    expect(remote.code).toBe(0);
    expect(local.code).toBe(0);
    expect(remote.stdout).toBe(local.stdout);
    expect(remote.stdout.trim().split("\n")).toHaveLength(4);
  });

  it("scans the rest of the bucket when a prefix is denied, names the prefix, and exits 2 like a local scan with an unreadable file", async () => {
    // Act
    const r = await trailwatch(["scan", `s3://${BUCKET}/trail/AWSLogs/${ORG}/`, "--from", "2026-11-19T00:00", "--to", "2026-11-19T23:59:59Z", "--format", "jsonl"], proxy.endpoint);
    // Assess: every readable file of the 19th, the denied folder named once.
    expect(r.code).toBe(2);
    const alerts = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { account: string; region: string });
    expect(alerts).toHaveLength(files.filter((f) => f.key.includes("/2026/11/19/") && !f.key.startsWith(DENIED)).length);
    expect(alerts.some((a) => a.account === "222222222222" && a.region === "us-east-1")).toBe(false);
    expect(r.stderr).toContain(`s3://${BUCKET}/${DENIED}: could not be listed: access denied (AccessDenied 403): Access Denied; 2 day folder(s) of the window not read (2026/11/19 to 2026/11/20)`);
  });

  it("takes credentials and region from --profile (the default profile's keys are refused by s3rver)", async () => {
    // Prepare: shared config files with a wrong default and a right "audit" profile; no keys in the environment.
    writeFileSync(join(dir, "credentials"), "[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n[audit]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
    writeFileSync(join(dir, "config"), "[default]\nregion = eu-west-1\n[profile audit]\nregion = us-east-1\n");
    const env = { AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"), AWS_CONFIG_FILE: join(dir, "config"), AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_REGION: "" };
    const args = ["scan", `s3://${BUCKET}/trail/`, "--from", "2026-11-20", "--accounts", "111111111111", "--format", "jsonl"];
    // Act
    const withProfile = await trailwatch([...args, "--profile", "audit"], s3.endpoint, env);
    const without = await trailwatch(args, s3.endpoint, env);
    // Assess
    expect(withProfile.code).toBe(0);
    expect(withProfile.stdout.trim().split("\n")).toHaveLength(4);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/could not be listed/);
  });

  it("refuses an s3:// scan without a window, and bad flag values, with exit status 1", async () => {
    const noWindow = await trailwatch(["scan", `s3://${BUCKET}/`], s3.endpoint);
    expect(noWindow.code).toBe(1);
    expect(noWindow.stderr).toMatch(/s3:\/\/ sources need a window/);
    const badAccount = await trailwatch(["scan", `s3://${BUCKET}/`, "--since", "1d", "--accounts", "12345"], s3.endpoint);
    expect(badAccount.code).toBe(1);
    expect(badAccount.stderr).toMatch(/--accounts: "12345" is not a 12-digit account id/);
    const lookup = await trailwatch(["scan", "--lookup-events"], s3.endpoint);
    expect(lookup.code).toBe(1);
    expect(lookup.stderr).toMatch(/--lookup-events needs --region/);
  });
});
