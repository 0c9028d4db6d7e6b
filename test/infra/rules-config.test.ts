import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../infra/config/load";

const EXAMPLES = join(__dirname, "../../examples/rules");

/** A config file in a folder of its own, beside a copy of the example rules (as a deployment repository would hold them). */
function configWith(rules: Record<string, unknown>, extra: Record<string, unknown> = {}): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "tw-rules-config-"));
  cpSync(EXAMPLES, join(dir, "detections"), { recursive: true });
  const file = join(dir, "trailwatch.json");
  writeFileSync(file, JSON.stringify({
    deployment: { account: "111122223333", homeRegion: "eu-west-1" },
    cloudtrailLogs: { bucket: "org-trail-logs", layout: "account" },
    sinks: { emails: ["soc@example.com"] },
    rules,
    ...extra,
  }));
  return { file, dir };
}

function issues(file: string): string[] {
  try {
    loadConfig(file);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues;
  }
}

describe("the rules section of the deployment config", () => {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const config = (rules: Record<string, unknown>, extra?: Record<string, unknown>) => {
    const c = configWith(rules, extra);
    made.push(c.dir);
    return c.file;
  };

  it("reads the rules folder relative to the config file, and tunes its rules like the catalog's", () => {
    // Act
    const cfg = loadConfig(config({
      folder: "detections",
      shared: { trustedAccounts: ["444455556666"] },
      "sigma.aws-secret-policy-allows-everyone": { severity: "critical" },
      "iam.user-created": { enabled: false },
    }, { retroHunt: { enabled: true } }));
    // Assess
    expect(cfg.rules.folder).toMatch(/detections$/);
    expect(cfg.rules.typescript).toEqual([expect.stringMatching(/detections[\\/]iam-break-glass-role-assumed\.ts$/)]);
    expect(cfg.rules.sigma.map((s) => s.id).sort()).toEqual(["sigma.aws-access-key-created-outside-office", "sigma.aws-secret-policy-allows-everyone"]);
    expect(cfg.rules.tuning).toMatchObject({ disabled: ["iam.user-created"], severity: { "sigma.aws-secret-policy-allows-everyone": "critical" }, suppressions: {} });
    expect(cfg.rules.tuning.settings["ec2.snapshot-shared"]).toEqual({ trustedAccounts: ["444455556666"] });
    expect(cfg.rules.disabled).toEqual(["iam.user-created"]);
    // Shared settings reach every catalog rule that takes them, and retro-hunt runs with them.
    expect((cfg.rules.catalogSettings["ec2.ami-shared"] as { trustedAccounts: string[] }).trustedAccounts).toEqual(["444455556666"]);
    expect(cfg.retroHunt).toMatchObject({ enabled: true, ruleSettings: cfg.rules.catalogSettings });
  });

  it("refuses a rule file that cannot be used, or whose examples fail, naming the file", () => {
    // Prepare
    const file = config({ folder: "detections" });
    const dir = join(file, "..", "detections");
    writeFileSync(join(dir, "window.yml"), "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: X}\n  timeframe: 5m\n  condition: sel\n");
    writeFileSync(join(dir, "aws_secret_policy_allows_everyone.tests.json"), JSON.stringify({ positive: [], negative: [] }));
    // Act / Assess
    expect(issues(file)).toEqual([
      "rules.folder: window.yml: timeframe is not supported: trailwatch evaluates one event at a time (threshold rules count over time)",
      expect.stringMatching(/^rules\.folder: aws_secret_policy_allows_everyone\.yml: rule "sigma\.aws-secret-policy-allows-everyone": examples: needs at least one positive and one negative example/),
    ]);
  });

  it("refuses a folder that does not exist, and remediation of a rule switched off", () => {
    expect(issues(config({ folder: "nowhere" }))).toEqual([expect.stringMatching(/^rules\.folder: .*nowhere: cannot be read \(ENOENT\)$/)]);
    expect(issues(config({ "cloudtrail.logging-stopped": { enabled: false } }, { remediation: { "cloudtrail.logging-stopped": "apply" } }))).toEqual([
      'remediation["cloudtrail.logging-stopped"]: is "apply" but the rule is switched off (rules["cloudtrail.logging-stopped"].enabled: false); set it to "off" or switch the rule on',
    ]);
  });
});
