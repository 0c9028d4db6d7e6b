import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const BIN = join(__dirname, "../../functions/cli/bin.cjs");
const EXAMPLES = join(__dirname, "../../examples/rules");

function trailwatch(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The positives of an example rule's tests file. */
const positives = (file: string) => (JSON.parse(readFileSync(join(EXAMPLES, file), "utf8")) as { positive: Record<string, unknown>[] }).positive;

const rec = (name: string, src: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: "1.08", eventTime: "2026-11-20T10:00:00Z", eventSource: src, eventName: name, awsRegion: "eu-west-1",
  recipientAccountId: "111122223333", eventID: `id-${name}`, sourceIPAddress: "198.51.100.7", userAgent: "aws-cli/2.17.31",
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/mallory", userName: "mallory", accountId: "111122223333" }, ...extra,
});

describe("trailwatch scan with tuning and your own rules", () => {
  let dir: string;
  /** Three calls catalog rules alert on; and those with the example rules' positives. */
  let catalogLogs: string;
  let logs: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-tuning-"));
    catalogLogs = join(dir, "catalog.json");
    logs = join(dir, "logs.json");
    const catalogRecords = [
      rec("StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: "org-trail" } }),
      rec("PutParameter", "ssm.amazonaws.com", { requestParameters: { name: "/prod/db/Password", type: "String" } }),
      rec("CreateUser", "iam.amazonaws.com", { requestParameters: { userName: "x" } }),
    ];
    writeFileSync(catalogLogs, JSON.stringify({ Records: catalogRecords }));
    writeFileSync(logs, JSON.stringify({ Records: [
      ...catalogRecords,
      ...positives("aws_access_key_created_outside_office.tests.json"),
      ...positives("aws_secret_policy_allows_everyone.tests.json"),
      ...positives("iam-break-glass-role-assumed.tests.json"),
    ] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const settings = (name: string, body: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(body));
    return p;
  };

  it("switches rules off, sets severities, and counts what suppressions keep back in the summary and its JSON", () => {
    // Prepare
    const file = settings("tuning.json", {
      "iam.user-created": { enabled: false },
      "iam.configuration-changed": { enabled: false },
      "cloudtrail.logging-stopped": { severity: "medium" },
      "ssm.plaintext-secret-parameter": {
        settings: { allowNames: ["/dev/*"] },
        suppressions: [
          { principal: "arn:aws:iam::111122223333:user/mallory", cidr: "198.51.100.0/24", reason: "mallory is our red team (ticket SEC-42)", expires: "2999-12-31" },
          { account: "444455556666", reason: "sandbox account", expires: "2020-01-01" },
        ],
      },
    });
    const summary = join(dir, "summary.json");
    // Act
    const { code, stdout, stderr } = trailwatch(["scan", catalogLogs, "--format", "jsonl", "--settings", file, "--summary", summary]);
    // Assess
    expect(code).toBe(0);
    const alerts = stdout.trim().split("\n").map((l) => JSON.parse(l) as { rule: string; severity: string });
    expect(alerts.map((a) => `${a.rule}:${a.severity}`)).toEqual(["cloudtrail.logging-stopped:medium"]);
    expect(stderr).toContain("Suppressed 1 match(es) by the settings' suppressions (not alerted):");
    expect(stderr).toMatch(/ssm\.plaintext-secret-parameter.*\["ssm\.plaintext-secret-parameter"\]\.suppressions\[0\].*1.*2999-12-31.*mallory is our red team/);
    expect(stderr).toContain('Suppression ["ssm.plaintext-secret-parameter"].suppressions[1] ("sandbox account") expired on 2020-01-01: no longer applied; renew it or remove it');
    const json = JSON.parse(readFileSync(summary, "utf8"));
    expect(json).toEqual(expect.objectContaining({
      alerts: 1,
      suppressedMatches: 1,
      suppressed: [{ rule: "ssm.plaintext-secret-parameter", suppression: '["ssm.plaintext-secret-parameter"].suppressions[0]', reason: "mallory is our red team (ticket SEC-42)", expires: "2999-12-31", count: 1 }],
      expiredSuppressions: [{ rule: "ssm.plaintext-secret-parameter", suppression: '["ssm.plaintext-secret-parameter"].suppressions[1]', reason: "sandbox account", expires: "2020-01-01", matches: 0 }],
    }));
  });

  it("refuses settings it cannot use, naming every problem by its path", () => {
    const file = settings("bad.json", {
      "ssm.plaintext-secret-parameter": { namePatterns: ["secret"] },
      "iam.admin-policy-attached": { suppressions: [{ reason: "x", account: "111122223333" }, { reason: "office", cidr: "10.0.0.0/33" }] },
    });
    const { code, stdout, stderr } = trailwatch(["scan", logs, "--settings", file]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`trailwatch: --settings ${file} has 2 problem(s):`);
    expect(stderr).toContain('["ssm.plaintext-secret-parameter"].namePatterns: "namePatterns" is a setting of the rule: put it under "settings"');
    expect(stderr).toContain('["iam.admin-policy-attached"].suppressions[1].cidr: not a CIDR: the prefix length of an IPv4 network is at most 32');
  });

  it("runs your TypeScript and Sigma rules with the catalog, each alert of a Sigma rule naming its author", () => {
    const { code, stdout } = trailwatch(["scan", logs, "--format", "jsonl", "--rules-dir", EXAMPLES]);
    expect(code).toBe(0);
    const alerts = stdout.trim().split("\n").map((l) => JSON.parse(l) as { rule: string; severity: string; context: Record<string, unknown> });
    const count = (id: string) => alerts.filter((a) => a.rule === id).length;
    expect(count("iam.break-glass-role-assumed")).toBe(1);
    expect(count("sigma.aws-access-key-created-outside-office")).toBe(2);
    expect(count("sigma.aws-secret-policy-allows-everyone")).toBe(2);
    const sigma = alerts.find((a) => a.rule === "sigma.aws-secret-policy-allows-everyone")!;
    expect(sigma.severity).toBe("high");
    expect(sigma.context.attribution).toBe('Sigma rule "AWS Secrets Manager Secret Policy Allows Everyone" by Example Security Team');
  });

  it("tunes your own rules like the catalog's, from a settings file that names the folder", () => {
    // Prepare: the folder given relative to the settings file.
    const sub = join(dir, "conf");
    mkdirSync(sub, { recursive: true });
    const file = join(sub, "rules.json");
    writeFileSync(file, JSON.stringify({
      folder: relative(sub, EXAMPLES),
      "sigma.aws-secret-policy-allows-everyone": { enabled: false },
      "iam.break-glass-role-assumed": { severity: "critical", suppressions: [{ userAgent: "aws-cli/*", reason: "drill" }] },
    }));
    // Act
    const { code, stdout, stderr } = trailwatch(["scan", logs, "--format", "jsonl", "--settings", file]);
    // Assess
    expect(code).toBe(0);
    const rules = stdout.trim().split("\n").map((l) => (JSON.parse(l) as { rule: string }).rule);
    expect(rules).not.toContain("sigma.aws-secret-policy-allows-everyone");
    expect(rules).not.toContain("iam.break-glass-role-assumed");
    expect(rules).toContain("sigma.aws-access-key-created-outside-office");
    expect(stderr).toMatch(/Suppressed 1 match\(es\)[^]*iam\.break-glass-role-assumed[^]*drill/);
  });

  it("refuses a rules folder with a file it cannot use, naming each", () => {
    const bad = join(dir, "bad-rules");
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, "agg.yml"), "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: X}\n  condition: sel | count() > 5\n");
    writeFileSync(join(bad, "win.yml"), "title: t\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 4624}\n  condition: sel\n");
    const { code, stderr } = trailwatch(["scan", logs, "--rules-dir", bad]);
    expect(code).toBe(1);
    expect(stderr).toContain(`the rules folder ${bad} has 2 file(s) that cannot be used`);
    expect(stderr).toContain("agg.yml: detection.condition: aggregations (`| count() ...`, `| near ...`) are not supported");
    expect(stderr).toContain("win.yml: logsource");
  });
});

describe("trailwatch rules --rules-dir", () => {
  it("lists your rules with the catalog's, with what they watch and their ATT&CK ids", () => {
    const { code, stdout } = trailwatch(["rules", "--rules-dir", EXAMPLES, "--format", "json"]);
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { id: string; severity: string; watches: string; references: { mitre: string[]; derivedFrom: unknown[] } }[];
    expect(list.find((r) => r.id === "sigma.aws-secret-policy-allows-everyone")).toMatchObject({
      severity: "high",
      watches: "secretsmanager: putresourcepolicy",
      references: { mitre: ["T1555.006"], derivedFrom: [{ sigma: "AWS Secrets Manager Secret Policy Allows Everyone", author: "Example Security Team" }] },
    });
    expect(list.find((r) => r.id === "iam.break-glass-role-assumed")).toMatchObject({ severity: "high", watches: "sts: AssumeRole" });
  });
});

describe("trailwatch test-rules", () => {
  it("passes the example rules, one line per rule with its counts", () => {
    const { code, stdout } = trailwatch(["test-rules", EXAMPLES]);
    expect(code).toBe(0);
    expect(stdout).toContain(" PASS  iam.break-glass-role-assumed (iam-break-glass-role-assumed.ts, typescript): 2 positive, 3 negative");
    expect(stdout).toContain(" PASS  sigma.aws-secret-policy-allows-everyone (aws_secret_policy_allows_everyone.yml, sigma): 2 positive, 3 negative");
    expect(stdout).toMatch(/Rules: {4}3 passed, 3 total\nExamples: 15 passed, 15 total/);
  });

  it("reports each failure and still tests the other rules, exiting 1", () => {
    // Prepare: one good rule, one whose example it gets wrong, one without negatives, one that does not load.
    const dir = mkdtempSync(join(tmpdir(), "tw-test-rules-"));
    try {
      const rule = (title: string, name: string) => `title: ${title}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: ${name}}\n  condition: sel\n`;
      const r = (name: string) => rec(name, "iam.amazonaws.com");
      writeFileSync(join(dir, "good.yml"), rule("good", "CreateUser"));
      writeFileSync(join(dir, "good.tests.json"), JSON.stringify({ positive: [r("CreateUser")], negative: [r("DeleteUser")] }));
      writeFileSync(join(dir, "wrong.yml"), rule("wrong", "CreateUser"));
      writeFileSync(join(dir, "wrong.tests.json"), JSON.stringify({ positive: [r("DeleteUser")], negative: [r("CreateUser")] }));
      writeFileSync(join(dir, "half.yml"), rule("half", "CreateUser"));
      writeFileSync(join(dir, "half.tests.json"), JSON.stringify({ positive: [r("CreateUser")] }));
      writeFileSync(join(dir, "broken.yml"), "title: broken\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName|base64: X}\n  condition: sel\n");
      // Act
      const { code, stdout } = trailwatch(["test-rules", dir]);
      const json = JSON.parse(trailwatch(["test-rules", dir, "--format", "json"]).stdout);
      // Assess
      expect(code).toBe(1);
      expect(stdout).toContain(" FAIL  broken.yml\n       could not be loaded: detection.sel.eventName|base64: modifier \"base64\" is not supported");
      expect(stdout).toContain(" PASS  sigma.good (good.yml, sigma): 1 positive, 1 negative");
      expect(stdout).toContain(" FAIL  sigma.half (half.yml, sigma): 1 positive, 0 negative\n       x examples: needs at least one positive and one negative example");
      expect(stdout).toContain(" FAIL  sigma.wrong (wrong.yml, sigma): 1 positive, 1 negative\n       x positive #1 DeleteUser: did not fire\n       x negative #1 CreateUser: fired, but must not: ");
      expect(stdout).toMatch(/Rules: {4}3 failed, 1 passed, 4 total\nExamples: 2 failed, 3 passed, 5 total/);
      expect(json.rules).toEqual({ passed: 1, failed: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails on a folder without rules", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-empty-rules-"));
    try {
      const { code, stdout } = trailwatch(["test-rules", dir]);
      expect(code).toBe(1);
      expect(stdout).toContain("No rules in");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
