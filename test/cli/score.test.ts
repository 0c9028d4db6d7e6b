import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { scoreLocal, type ScoreCommandOptions } from "../../functions/cli/commands/score";
import { main } from "../../functions/cli/main";
import { defaultAccounts, generateOrganization, type Manifest } from "../../scripts/generator";
import { ctRecord, logFile } from "../handlers/scoring/local-sfn";

/** Captures what a command writes. */
function capture() {
  const text = { stdout: "", stderr: "" };
  const stream = (k: "stdout" | "stderr") => new Writable({ write(chunk, _e, cb) { text[k] += String(chunk); cb(); } });
  return { text, out: { stdout: stream("stdout"), stderr: stream("stderr") } };
}

describe("trailwatch score on a generated organization", () => {
  let dir: string;
  let manifest: Manifest;
  let account: string;
  const score = (o: Partial<ScoreCommandOptions>) => {
    const c = capture();
    return scoreLocal([dir], { account, region: "eu-west-1", day: "2026/11/18", ...o }, c.out).then((r) => ({ ...r, ...c.text }));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tw-score-"));
    const accounts = defaultAccounts("scoring").filter((a) => a.kind === "production");
    account = accounts[0]!.id;
    manifest = await generateOrganization({ outDir: dir, seed: "scoring", days: 16, endDate: "2026-11-20", accounts, regions: ["us-east-1", "eu-west-1"] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("flags what the principal with new behaviour did for the first time, and nothing that was not injected", async () => {
    const { alerts, historyDays, code } = await score({});

    const injected = new Set([
      ...manifest.newBehaviour!.newActions.filter((a) => a.region === "eu-west-1").map((a) => `${manifest.newBehaviour!.principal} ${a.eventName}`),
      ...manifest.attacks.filter((a) => a.region === "eu-west-1" && a.time.startsWith("2026-11-18")).map((a) => `${a.principal} ${a.eventName}`),
    ]);
    const flagged = alerts.map((a) => `${a.principal} ${a.eventName}`);
    expect(code).toBe(0);
    expect(historyDays).toBe(13);
    expect(flagged).toEqual(expect.arrayContaining(["GetSecretValue", "Decrypt", "GetObject"].map((n) => `${manifest.newBehaviour!.principal} ${n}`)));
    expect(flagged.filter((f) => !injected.has(f))).toEqual([]);
  });

  it("prints one alert per line with --format jsonl, and the run summary on stderr", async () => {
    const { stdout, stderr, alerts } = await score({ format: "jsonl" });

    const lines = stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual(JSON.parse(JSON.stringify(alerts)));
    expect(lines.every((a) => a.rule === "score.unusual-activity" && a.context.threshold === 0.7)).toBe(true);
    expect(stderr).toMatch(/^trailwatch: \d+ unusual \(principal, API\) pair\(s\) in \d{12} eu-west-1 on 2026\/11\/18, of \d+ scored \(threshold 0\.7\)/);
    expect(stderr).toMatch(/history: 13 of 14 preceding day\(s\) had data/);
  });

  it("shows a table with the reasons", async () => {
    const { stdout } = await score({ format: "table" });
    expect(stdout).toContain("secretsmanager GetSecretValue");
    expect(stdout).toContain("first call of this API by the principal");
  });

  it("honours --threshold and --history-days", async () => {
    const strict = await score({ threshold: "0.99" });
    const young = await score({ historyDays: "2" });
    expect(strict.alerts).toEqual([]);
    expect(young.alerts).toEqual([]);
    expect(young.stderr).toContain("(the built-in scorer needs 3 to judge anything)");
  });

  it("exits 2 and says so when the day has no log files", async () => {
    const { code, stderr } = await score({ day: "2026/11/25" });
    expect(code).toBe(2);
    expect(stderr).toContain(`No CloudTrail log files found for ${account} eu-west-1 on 2026/11/25`);
  });
});

describe("trailwatch score on hand-made layouts", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-score-org-"));
    const region = join(dir, "bucket", "trails", "AWSLogs", "o-abcdef1234", "111122223333", "CloudTrail", "us-east-1");
    for (let d = 10; d <= 20; d++) {
      const day = join(region, "2026", "11", String(d));
      mkdirSync(day, { recursive: true });
      const records = [ctRecord("alice", "ec2.amazonaws.com", "DescribeInstances", `2026-11-${d}T10:00:00Z`), ctRecord("bob", "s3.amazonaws.com", "ListBuckets", `2026-11-${d}T11:00:00Z`)];
      if (d === 20) records.push(ctRecord("alice", "iam.amazonaws.com", "CreateAccessKey", "2026-11-20T12:00:00Z"));
      writeFileSync(join(day, `111122223333_CloudTrail_us-east-1_202611${d}T1200Z_x.json.gz`), logFile(records));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds an organization trail's folders from the bucket copy, or from a day folder", async () => {
    for (const path of [dir, join(dir, "bucket", "trails", "AWSLogs", "o-abcdef1234", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "20")]) {
      const { text, out } = capture();
      const r = await scoreLocal([path], { account: "111122223333", region: "us-east-1", day: "2026/11/20" }, out);
      expect({ path, flagged: r.alerts.map((a) => a.eventName), history: r.historyDays }).toEqual({ path, flagged: ["CreateAccessKey"], history: 10 });
      expect(text.stderr).toContain("1 unusual");
    }
  });

  it("says which folder it looked for when the account is not there", async () => {
    await expect(scoreLocal([dir], { account: "999999999999", region: "us-east-1", day: "2026/11/20" }, capture().out)).rejects.toThrow(
      /no 999999999999\/CloudTrail\/us-east-1 folder under .* \(expected the S3 layout AWSLogs\/\[<org-id>\/\]<account>\/CloudTrail\/<region>\/YYYY\/MM\/DD\/\)/,
    );
  });

  it("rejects bad options with every problem named, exit code 1", async () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const code = await main(["node", "trailwatch", "score", dir, "--account", "12", "--region", "us-east-1", "--day", "2026-11-20", "--threshold", "x"]);
      expect(code).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toBe(
        'trailwatch: --account must be a 12-digit account id (got "12"); --day must be a real calendar day written YYYY/MM/DD (got "2026-11-20"); --threshold must be a number such as 0.7 (got "x")\n',
      );
    } finally {
      stderr.mockRestore();
    }
  });
});
