import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";

const BIN = join(__dirname, "../../functions/cli/bin.cjs");
const rec = (name: string, src: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: "1.08", eventTime: "2026-11-20T10:00:00Z", eventSource: src, eventName: name, awsRegion: "eu-west-1",
  recipientAccountId: "111122223333", eventID: `id-${name}`,
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/mallory", userName: "mallory" }, ...extra,
});

function trailwatch(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("trailwatch scan", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-cli-"));
    mkdirSync(join(dir, "good"));
    writeFileSync(join(dir, "good", "a.json.gz"), gzipSync(JSON.stringify({ Records: [
      rec("StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: "org-trail" } }),
      rec("PutParameter", "ssm.amazonaws.com", { requestParameters: { name: "/prod/db/Password", type: "String" } }),
      rec("DescribeInstances", "ec2.amazonaws.com"),
    ] })));
    mkdirSync(join(dir, "bad"));
    writeFileSync(join(dir, "bad", "broken.json.gz"), "not gzip at all");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes exactly one alert object per line to stdout with --format jsonl, and the summary to stderr", () => {
    const { code, stdout, stderr } = trailwatch(["scan", join(dir, "good"), "--format", "jsonl"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const alerts = lines.map((l) => JSON.parse(l));
    expect(alerts.map((a) => a.rule).sort()).toEqual(["cloudtrail.logging-stopped", "ssm.plaintext-secret-parameter"]);
    expect(alerts[0]).toEqual(expect.objectContaining({ id: expect.any(String), severity: "critical", account: "111122223333", eventId: "id-StopLogging" }));
    expect(stderr).toMatch(/1 file\(s\) read.*3 record\(s\)/);
  });

  it("prints a readable table worst first", () => {
    const { stdout } = trailwatch(["scan", join(dir, "good")]);
    expect(stdout.indexOf("cloudtrail.logging-stopped")).toBeLessThan(stdout.lastIndexOf("ssm.plaintext-secret-parameter"));
    expect(stdout).toMatch(/mallory stored parameter \/prod\/db\/Password/);
  });

  it("exits 2 and names the unreadable file while still reporting the good file's alerts", () => {
    const out = join(dir, "alerts.jsonl");
    const { code, stdout, stderr } = trailwatch(["scan", join(dir, "good"), join(dir, "bad"), "--format", "jsonl", "--output", out]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(readFileSync(out, "utf8").trimEnd().split("\n")).toHaveLength(2);
    expect(stderr).toContain(`${join(dir, "bad", "broken.json.gz")}: not gzip data`);
  });

  it("filters by severity and rule, and exits 3 with --fail-on when alerts reach it", () => {
    expect(trailwatch(["scan", join(dir, "good"), "--format", "jsonl", "--min-severity", "critical"]).stdout.trim().split("\n")).toHaveLength(1);
    expect(trailwatch(["scan", join(dir, "good"), "--format", "jsonl", "--rules", "ssm.plaintext-secret-parameter"]).stdout).toMatch(/ssm.plaintext/);
    expect(trailwatch(["scan", join(dir, "good"), "--format", "jsonl", "--fail-on", "high"]).code).toBe(3);
  });

  it("rejects a bad option value with a message that says what to use", () => {
    const { code, stderr } = trailwatch(["scan", join(dir, "good"), "--min-severity", "severe"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--min-severity must be one of info, low, medium, high, critical/);
    const unknown = trailwatch(["scan", join(dir, "good"), "--rules", "no.such-rule"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown rule id "no.such-rule"/);
  });
});
