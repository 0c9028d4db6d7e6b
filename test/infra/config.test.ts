import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, DEFAULT_CONFIG, configPath, formatPath, loadConfig, parseConfig } from "../../infra/config/load";
import { validateDeploymentConfig } from "../../infra/config/schema";

const example = (): Record<string, any> => JSON.parse(readFileSync(DEFAULT_CONFIG, "utf8"));
/** The `path: message` lines a config produces (empty when valid). */
function issuesOf(cfg: unknown): string[] {
  try {
    parseConfig(cfg);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues;
  }
}
function minimal(): Record<string, any> {
  return { deployment: { account: "111122223333", homeRegion: "eu-west-1" }, sinks: { emails: ["soc@example.com"] } };
}

describe("the example config", () => {
  it("is valid, and capability sections inherit what the top level says", () => {
    // Act
    const cfg = loadConfig(DEFAULT_CONFIG);
    // Assess
    expect(cfg.trailGuard).toMatchObject({ enabled: true, regions: ["eu-west-1", "us-east-1", "eu-central-1"], protectedTrails: cfg.protectedTrails, trailBucketName: cfg.cloudtrailLogs!.bucket });
    expect(cfg.trailGuard!.enabled && cfg.trailGuard!.remediation).toEqual({ "cloudtrail.logging-stopped": "apply" });
    expect(cfg.logAnalyzer).toMatchObject({ enabled: true, bucketName: cfg.cloudtrailLogs!.bucket, layout: { type: "organization", organizationId: "o-a1b2c3d4e5" }, remediation: cfg.remediation });
    expect(cfg.logAnalyzer).toMatchObject({ organizationId: cfg.organization!.id, managementAccountId: cfg.organization!.managementAccount });
  });

  it("holds no secret: only a reference to the HEC token", () => {
    // Act
    const text = readFileSync(DEFAULT_CONFIG, "utf8");
    // Assess
    expect(text).not.toMatch(/"token"\s*:/i);
    expect(example().sinks.hec.tokenSecretArn).toMatch(/^arn:aws:secretsmanager:/);
  });
});

describe("a minimal config", () => {
  it("gets defaults: prefix, retention, remediation off, no capability", () => {
    // Act
    const cfg = parseConfig(minimal());
    // Assess
    expect(cfg).toMatchObject({ namePrefix: "trailwatch", logRetentionDays: 365, remediation: {}, regions: [], protectedTrails: [] });
    expect(cfg.sinks.emailMinSeverity).toBe("low");
    expect(cfg.trailGuard).toBeUndefined();
  });
});

describe("bad configs say what to fix and where", () => {
  it("names an unknown rule id and lists the known ones", () => {
    // Act
    const issues = issuesOf({ ...minimal(), remediation: { "cloudtrail.loging-stopped": "apply" } });
    // Assess
    expect(issues).toEqual([expect.stringMatching(/^remediation\["cloudtrail\.loging-stopped"\]: unknown rule id "cloudtrail\.loging-stopped" \(known: .*cloudtrail\.logging-stopped.*\)$/)]);
  });

  it("refuses remediation for a rule that has none and names those that do", () => {
    // Act
    const issues = issuesOf({ ...minimal(), remediation: { "ssm.plaintext-secret-parameter": "apply" } });
    // Assess
    expect(issues).toEqual([expect.stringMatching(/^remediation\["ssm\.plaintext-secret-parameter"\]: rule "ssm\.plaintext-secret-parameter" has no remediation; only these rules do: .*cloudtrail\.logging-stopped/)]);
  });

  it("accepts off for a rule without remediation", () => {
    // Act / Assess
    expect(issuesOf({ ...minimal(), remediation: { "ssm.plaintext-secret-parameter": "off" } })).toEqual([]);
  });

  it("rejects a bad remediation mode", () => {
    // Act / Assess
    expect(issuesOf({ ...minimal(), remediation: { "cloudtrail.logging-stopped": "on" } })).toEqual([
      'remediation["cloudtrail.logging-stopped"]: expected "off", "dry-run" or "apply"',
    ]);
  });

  it("wants exactly one HEC token reference", () => {
    // Prepare
    const hec = { endpoint: "https://splunk.example.com:8088", tokenSecretArn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:hec-AbCdEf" };
    // Act
    const both = issuesOf({ ...minimal(), sinks: { hec: { ...hec, tokenParameterName: "/trailwatch/hec" } } });
    const none = issuesOf({ ...minimal(), sinks: { hec: { endpoint: hec.endpoint } } });
    // Assess
    expect(both).toEqual(["sinks.hec: give exactly one of tokenSecretArn and tokenParameterName, not both"]);
    expect(none).toEqual(["sinks.hec: missing the token reference: give tokenSecretArn (Secrets Manager) or tokenParameterName (SSM SecureString)"]);
  });

  it("refuses a token pasted into the config", () => {
    // Act
    const issues = issuesOf({ ...minimal(), sinks: { hec: { endpoint: "https://splunk.example.com:8088", tokenParameterName: "/tw/hec", token: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" } } });
    // Assess
    expect(issues).toEqual(["sinks.hec.token: never put the HEC token in config: store it in Secrets Manager or SSM (SecureString) and give tokenSecretArn or tokenParameterName"]);
  });

  it("explains bad ARNs, account ids, regions and HEC URLs", () => {
    // Act
    const issues = issuesOf({
      ...minimal(),
      deployment: { account: 111122223333, homeRegion: "Ireland" },
      protectedTrails: ["arn:aws:cloudtrail:eu-west-1:1234:trail/x"],
      sinks: { emails: ["soc@example.com"], hec: { endpoint: "http://splunk:8088", tokenSecretArn: "arn:aws:ssm:eu-west-1:111122223333:parameter/x" } },
    });
    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([
        'deployment.account: expected a 12-digit AWS account id in quotes, e.g. "111122223333"',
        "deployment.homeRegion: expected an AWS region name such as eu-west-1",
        "protectedTrails[0]: expected a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>",
        "sinks.hec.endpoint: expected the HEC base URL with https://, e.g. https://splunk.example.com:8088",
        expect.stringMatching(/^sinks\.hec\.tokenSecretArn: expected a Secrets Manager secret ARN arn:aws:secretsmanager:/),
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it("explains a bad email address with its position", () => {
    // Act / Assess
    expect(issuesOf({ ...minimal(), sinks: { emails: ["soc@example.com", "not-an-address"] } })).toEqual([
      "sinks.emails[1]: expected an email address such as soc@example.com",
    ]);
  });

  it("wants at least one sink", () => {
    // Act / Assess
    expect(issuesOf({ ...minimal(), sinks: {} })).toEqual(["sinks: no alert sink: give at least one address in emails, a hec sink or securityHub, otherwise alerts reach nobody"]);
  });

  it("validates the rules section with the rules, every problem with its path", () => {
    // Act
    const unknown = issuesOf({ ...minimal(), rules: { "nope.rule": {} } });
    const bad = issuesOf({ ...minimal(), rules: { "ssm.plaintext-secret-parameter": { settings: { namePatterns: [] } }, "iam.admin-policy-attached": { suppressions: [{ cidr: "10.0.0.0/8" }] } } });
    // Assess
    expect(unknown).toEqual(['rules["nope.rule"]: unknown rule id "nope.rule" (`trailwatch rules` lists every rule id)']);
    expect(bad).toEqual([
      expect.stringMatching(/^rules\["iam\.admin-policy-attached"\]\.suppressions\[0\]\.reason: required: say why/),
      expect.stringMatching(/^rules\["ssm\.plaintext-secret-parameter"\]\.settings\.namePatterns: /),
    ]);
  });

  it("refuses ruleSettings, showing the same settings in the rules section", () => {
    expect(issuesOf({ ...minimal(), ruleSettings: { "ssm.plaintext-secret-parameter": { allowNames: ["/x"] } } })).toEqual([
      'ruleSettings: replaced by "rules", which also switches rules off, sets severities and suppresses known-good activity: ' +
        'move each rule\'s settings under "settings", i.e. {"rules":{"ssm.plaintext-secret-parameter":{"settings":{"allowNames":["/x"]}}}}',
    ]);
  });

  it("names unknown keys and a retention CloudWatch does not accept", () => {
    // Act / Assess
    expect(issuesOf({ ...minimal(), logRetention: 30, logRetentionDays: 31 })).toEqual([
      expect.stringMatching(/^logRetentionDays: expected one of CloudWatch's retention values: 1, 3, 5, 7, 14, 30/),
      '(top level): unknown key "logRetention": check the spelling',
    ]);
  });

  it("needs the organization for the organization log layout, and the right account to list it", () => {
    // Act
    const noOrg = issuesOf({ ...minimal(), cloudtrailLogs: { bucket: "logs-bucket", layout: "organization" } });
    const wrongAccount = issuesOf({ ...minimal(), organization: { id: "o-a1b2c3d4e5", managementAccount: "999999999999" } });
    // Assess
    expect(noOrg).toEqual(['cloudtrailLogs.layout: layout "organization" needs the organization section (its id is part of the key AWSLogs/<org-id>/<account>/)']);
    expect(wrongAccount).toEqual([
      "deployment.account: account 111122223333 is neither the management account (999999999999) nor the delegated administrator (organization.delegatedAdminAccount is not set); only those can list the Organization's accounts",
    ]);
  });

  it("reports capability section issues under the section's path, with the top level's issues", () => {
    // Prepare
    const cfg = { ...minimal(), sinks: { emails: ["bad"] }, cloudtrailLogs: { bucket: "logs-bucket", layout: "account" }, logAnalyzer: { enabled: true, batchSize: 0 } };
    // Act
    const issues = issuesOf(cfg);
    // Assess
    expect(issues).toEqual([
      "sinks.emails[0]: expected an email address such as soc@example.com",
      expect.stringMatching(/^logAnalyzer\.notification: required: choose how new log files are announced/),
      expect.stringMatching(/^logAnalyzer\.batchSize: /),
    ]);
  });

  it("keeps remediation at the top level only", () => {
    // Act / Assess
    expect(issuesOf({ ...minimal(), trailGuard: { enabled: true, remediation: {} } })).toEqual([
      'trailGuard.remediation: set remediation once at the top level ("remediation"), where it applies to every capability',
    ]);
  });

  it("sets the remediation safety checks once at the top level: the age limit (default 60 minutes) and protected targets, inherited by the log analyzer and the trail guard", () => {
    // Prepare
    const withLogs = { ...minimal(), cloudtrailLogs: { bucket: "logs-bucket", layout: "account" }, protectedTrails: ["arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail"] };
    // Act
    const logAnalyzer = { enabled: true, notification: { source: "eventbridge" } };
    const defaults = parseConfig({ ...withLogs, logAnalyzer });
    const set = parseConfig({ ...withLogs, remediationSafety: { maxEventAgeMinutes: 30, protectedTargets: ["arn:*:iam::*:role/prod-*"] }, logAnalyzer, trailGuard: { enabled: true } });
    // Assess
    expect(defaults.remediationSafety).toEqual({ maxEventAgeMinutes: 60, protectedTargets: [] });
    expect(defaults.logAnalyzer).toMatchObject({ remediationSafety: { maxEventAgeMinutes: 60, protectedTargets: [] } });
    expect(set.logAnalyzer).toMatchObject({ remediationSafety: { maxEventAgeMinutes: 30, protectedTargets: ["arn:*:iam::*:role/prod-*"] } });
    expect(set.trailGuard).toMatchObject({ remediationSafety: { maxEventAgeMinutes: 30 } });
    expect(issuesOf({ ...minimal(), remediationSafety: { maxEventAgeMinutes: 1, protectedTargets: ["break-glass"] } })).toEqual([
      "remediationSafety.maxEventAgeMinutes: expected at least 5 minutes",
      expect.stringMatching(/^remediationSafety\.protectedTargets\[0\]: is not an ARN pattern: expected arn:<partition>:<service>/),
    ]);
    expect(issuesOf({ ...withLogs, logAnalyzer: { enabled: true, remediationSafety: { maxEventAgeMinutes: 30 } } })).toEqual([
      'logAnalyzer.remediationSafety: set remediationSafety once at the top level ("remediationSafety"), where it applies to every capability',
    ]);
  });

  it("lets a disabled section be just { enabled: false }", () => {
    // Act / Assess
    expect(validateDeploymentConfig({ ...minimal(), trailGuard: { enabled: false }, logAnalyzer: { enabled: false } })).toMatchObject({ ok: true });
  });
});

describe("loading", () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-config-"));

  it("lists every issue of a file as `path: message` lines under its name", () => {
    // Prepare
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ ...minimal(), namePrefix: "Bad Prefix", sinks: { emails: ["x"] } }));
    // Act / Assess
    expect(() => loadConfig(file)).toThrow(
      `${file} is not a valid trailwatch config:\n  - namePrefix: expected 2-24 lowercase letters, digits or hyphens, starting with a letter, e.g. trailwatch\n  - sinks.emails[0]: expected an email address such as soc@example.com`,
    );
  });

  it("says when the file is not JSON or missing", () => {
    // Prepare
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ nope");
    // Act / Assess
    expect(() => loadConfig(file)).toThrow(/broken\.json is not a valid trailwatch config:\n  - not valid JSON: /);
    expect(() => loadConfig(join(dir, "absent.json"))).toThrow(/absent\.json is not a valid trailwatch config:\n  - cannot read the file: ENOENT/);
  });

  it("takes the file from --config, then TRAILWATCH_CONFIG, then the example", () => {
    // Act / Assess
    expect(configPath(["--config", "/x/a.json"], { TRAILWATCH_CONFIG: "/x/b.json" })).toBe("/x/a.json");
    expect(configPath(["--config=/x/c.json"], {})).toBe("/x/c.json");
    expect(configPath([], { TRAILWATCH_CONFIG: "/x/b.json" })).toBe("/x/b.json");
    expect(configPath([], {})).toBe(DEFAULT_CONFIG);
    expect(() => configPath(["--config"], {})).toThrow(/give a file: --config path\/to\/config.json/);
  });

  it("formats paths readably", () => {
    // Act / Assess
    expect(formatPath([])).toBe("(top level)");
    expect(formatPath(["sinks", "emails", 2])).toBe("sinks.emails[2]");
    expect(formatPath(["remediation", "cloudtrail.logging-stopped"])).toBe('remediation["cloudtrail.logging-stopped"]');
  });
});
