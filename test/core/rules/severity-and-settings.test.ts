import { catalog } from "../../../functions/core/rules/catalog";
import { RuleConfigError, RuleEngine, toAlert } from "../../../functions/core/rules/engine";
import type { Alert } from "../../../functions/core/alert/alert";
import { loadExamples } from "./examples";

type Raw = Record<string, unknown>;

/** The alerts of one rule on a record, with optional settings for that rule. */
function alerts(ruleId: string, record: Raw, settings?: unknown): Alert[] {
  const engine = new RuleEngine(catalog, { only: [ruleId], ...(settings ? { settings: { [ruleId]: settings } } : {}) });
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  if (engine.ruleErrors.size) throw new Error(JSON.stringify([...engine.ruleErrors]));
  return ev.kind === "findings" ? ev.findings.map(toAlert) : [];
}

/** A positive (or negative) example of a rule, picked by a predicate, as a fresh copy to edit. */
function example(ruleId: string, pick: (r: Raw) => boolean, kind: "positive" | "negative" = "positive"): Raw {
  const r = loadExamples(ruleId)![kind].find(pick);
  if (!r) throw new Error(`no ${kind} example of ${ruleId} matches`);
  return structuredClone(r);
}
const req = (r: Raw) => (r.requestParameters ?? {}) as Raw;
const who = (r: Raw) => (r.userIdentity ?? {}) as Raw;

describe("severity follows what the record says", () => {
  it("signin.console-login-failed: root is medium, an IAM user low, and a burst for one user from one address is one alert", () => {
    // Prepare
    const jane = example("signin.console-login-failed", (r) => who(r).userName === "dev-jane");
    const root = example("signin.console-login-failed", (r) => who(r).type === "Root");
    const again = { ...structuredClone(jane), eventID: "another-event", eventTime: (jane.eventTime as string).replace(/:\d\dZ$/, ":59Z") };
    const otherUser = { ...structuredClone(jane), eventID: "third-event", userIdentity: { ...who(jane), userName: "ops-admin" } };
    // Act
    const [a] = alerts("signin.console-login-failed", jane);
    const [b] = alerts("signin.console-login-failed", again);
    const [c] = alerts("signin.console-login-failed", otherUser);
    const [d] = alerts("signin.console-login-failed", root);
    // Assess
    expect(a!.severity).toBe("low");
    expect(d!.severity).toBe("medium");
    expect(d!.summary).toMatch(/^console sign-in as the root user failed in account 111122223333 from 198\.51\.100\.23/);
    expect(b!.id).toBe(a!.id);
    expect(c!.id).not.toBe(a!.id);
  });

  it("rds.db-security-group-changed: the internet is high, another account medium, a new group info", () => {
    const world = example("rds.db-security-group-changed", (r) => req(r).cIDRIP === "0.0.0.0/0");
    const foreign = example("rds.db-security-group-changed", (r) => req(r).eC2SecurityGroupOwnerId === "444455556666");
    const created = example("rds.db-security-group-changed", (r) => r.eventName === "CreateDBSecurityGroup");
    expect(alerts("rds.db-security-group-changed", world)[0]).toMatchObject({ severity: "high", context: { openToWorld: true } });
    expect(alerts("rds.db-security-group-changed", foreign)[0]!.severity).toBe("medium");
    expect(alerts("rds.db-security-group-changed", foreign)[0]!.summary).toContain("security group scanner of account 444455556666");
    expect(alerts("rds.db-security-group-changed", created)[0]!.severity).toBe("info");
  });

  it("macie.protection-weakened: pausing is high, slower publishing low, the default pace and resuming quiet", () => {
    const paused = example("macie.protection-weakened", (r) => req(r).status === "PAUSED");
    const slower = example("macie.protection-weakened", (r) => req(r).findingPublishingFrequency === "SIX_HOURS");
    expect(alerts("macie.protection-weakened", paused)[0]!.severity).toBe("high");
    const [s] = alerts("macie.protection-weakened", slower);
    expect(s).toMatchObject({ severity: "low" });
    expect(s!.summary).toContain("(every six hours)");
    expect(alerts("macie.protection-weakened", { ...slower, requestParameters: { findingPublishingFrequency: "FIFTEEN_MINUTES" } })).toEqual([]);
    expect(alerts("macie.protection-weakened", { ...slower, requestParameters: { status: "ENABLED" } })).toEqual([]);
  });

  it("s3.bucket-protection-disabled names what was turned off, versioning above logging", () => {
    const both = example("s3.bucket-protection-disabled", (r) => r.eventName === "PutBucketVersioning");
    (req(both).VersioningConfiguration as Raw).MfaDelete = "Disabled";
    const logging = example("s3.bucket-protection-disabled", (r) => r.eventName === "PutBucketLogging");
    expect(alerts("s3.bucket-protection-disabled", both)[0]).toMatchObject({ severity: "medium", context: { disabled: ["versioning", "MFA delete"] } });
    expect(alerts("s3.bucket-protection-disabled", both)[0]!.summary).toBe("mallory turned off versioning and MFA delete on bucket customer-exports-prod in account 111122223333");
    expect(alerts("s3.bucket-protection-disabled", logging)[0]).toMatchObject({ severity: "low", context: { disabled: ["server access logging"] } });
  });

  it("securityhub.findings-suppressed: one suppression is low, a rule that suppresses from now on medium", () => {
    const batch = example("securityhub.findings-suppressed", (r) => r.eventName === "BatchUpdateFindings");
    const rule = example("securityhub.findings-suppressed", (r) => r.eventName === "CreateAutomationRule");
    expect(alerts("securityhub.findings-suppressed", batch)[0]).toMatchObject({ severity: "low", summary: expect.stringContaining("suppressed 2 Security Hub finding(s)") });
    expect(alerts("securityhub.findings-suppressed", rule)[0]!.severity).toBe("medium");
  });

  it("organizations.account-created reads the status whether CloudTrail wrote an object or an exporter wrote JSON text, and skips a masked name", () => {
    const masked = example("organizations.account-created", (r) => JSON.stringify(r).includes("555566667777"));
    const asText = { ...masked, serviceEventDetails: JSON.stringify(masked.serviceEventDetails) };
    for (const r of [masked, asText]) {
      const [a] = alerts("organizations.account-created", r);
      expect(a!.summary).toBe("AWS Organizations created account 555566667777 in organization management account 999988887777");
      expect(a!.context).toMatchObject({ accountId: "555566667777", requestId: "car-5d7e9f1a3b5c4d6e8f0a1b2c3d4e5f60" });
    }
  });

  it("ecs.task-reads-credential-endpoint names the containers whose command reads the endpoint", () => {
    const def = example("ecs.task-reads-credential-endpoint", (r) => r.eventName === "RegisterTaskDefinition");
    const defs = req(def).containerDefinitions as Raw[];
    defs.push({ name: "sidecar", image: "envoy", command: ["envoy", "-c", "/etc/envoy.yaml"] });
    const [a] = alerts("ecs.task-reads-credential-endpoint", def);
    expect(a!.context).toMatchObject({ containers: ["worker"], taskRoleArn: "arn:aws:iam::111122223333:role/orders-task-role" });
  });
});

describe("settings of the rules that take them", () => {
  it("signin.console-token-minted: a sanctioned tool's user agent is quiet once listed", () => {
    const token = example("signin.console-token-minted", (r) => r.userAgent === "python-requests/2.32.3");
    expect(alerts("signin.console-token-minted", token)).toHaveLength(1);
    expect(alerts("signin.console-token-minted", token, { allowedUserAgentPatterns: ["^Jersey/", "^python-requests/"] })).toEqual([]);
  });

  it("aws.attack-tool-user-agent: matches tool names as words, and takes its own list", () => {
    const ok = example("aws.attack-tool-user-agent", (r) => r.eventName === "GetCallerIdentity" && who(r).userName === "dev-jane", "negative");
    const withUa = (ua: string) => ({ ...ok, userAgent: ua });
    expect(alerts("aws.attack-tool-user-agent", withUa("aws-cli/2.15.0 Python/3.11.8 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2024"))[0]).toMatchObject({ severity: "medium" });
    expect(alerts("aws.attack-tool-user-agent", withUa("pacu/1.6.0 botocore/1.34.0"))).toHaveLength(1);
    expect(alerts("aws.attack-tool-user-agent", withUa("alkaline-monitor/2.4"))).toEqual([]);
    expect(alerts("aws.attack-tool-user-agent", withUa("TruffleHog"), { userAgentPatterns: ["^in-house-scanner/"] })).toEqual([]);
    expect(alerts("aws.attack-tool-user-agent", withUa("in-house-scanner/3"), { userAgentPatterns: ["^in-house-scanner/"] })).toHaveLength(1);
  });

  it("s3.bucket-deleted: named buckets and patterns raise a deletion to high", () => {
    const preview = example("s3.bucket-deleted", (r) => req(r).bucketName === "preview-pr-1842-assets");
    const logs = example("s3.bucket-deleted", (r) => req(r).bucketName === "org-cloudtrail-logs-111122223333");
    expect(alerts("s3.bucket-deleted", preview)[0]!.severity).toBe("info");
    expect(alerts("s3.bucket-deleted", logs)[0]!.severity).toBe("high");
    expect(alerts("s3.bucket-deleted", preview, { protectedBuckets: ["preview-pr-1842-assets"] })[0]!.severity).toBe("high");
    expect(alerts("s3.bucket-deleted", logs, { protectedBucketPatterns: ["^backup-"] })[0]!.severity).toBe("info");
  });

  it("iam.entity-created-outside-iac: the principal that runs infrastructure as code can be named", () => {
    const byHand = example("iam.entity-created-outside-iac", (r) => r.eventName === "CreateRole");
    expect(alerts("iam.entity-created-outside-iac", byHand)).toHaveLength(1);
    expect(alerts("iam.entity-created-outside-iac", byHand, { automationPrincipalPatterns: ["^AWSReservedSSO_AdministratorAccess_"] })).toEqual([]);
  });

  it("are rejected with a RuleConfigError naming the rule and the setting when invalid", () => {
    const attempt = (id: string, s: unknown) => () => new RuleEngine(catalog, { settings: { [id]: s } });
    expect(attempt("iam.entity-created-outside-iac", { automationPrincipalPatterns: ["terraform("] })).toThrow(/iam\.entity-created-outside-iac.*automationPrincipalPatterns\.0.*not a valid regular expression/);
    expect(attempt("signin.console-token-minted", { allowedUserAgents: ["x"] })).toThrow(RuleConfigError);
    expect(attempt("aws.attack-tool-user-agent", { userAgentPatterns: [] })).toThrow(/userAgentPatterns/);
    expect(attempt("s3.bucket-deleted", { protectedBuckets: "logs" })).toThrow(/protectedBuckets/);
  });
});

describe("rules ported from Sigma", () => {
  const ported = catalog.filter((r) => r.references.derivedFrom?.length);

  it.each(ported.map((r) => [r.id, r] as const))("%s names the Sigma rule and its author in every alert (Detection Rule License 1.1)", (id, rule) => {
    for (const record of loadExamples(id)!.positive) {
      // Act
      const [a] = alerts(id, record);
      // Assess
      for (const o of rule.references.derivedFrom!) {
        expect(a!.context.attribution).toContain(`"${o.sigma}" by ${o.author}`);
        expect(rule.references.sigma).toContain(o.sigma);
      }
      expect(a!.context.attribution).toContain("Detection Rule License 1.1");
    }
  });

  it("are the ones the rule README lists as ports", () => {
    expect(ported.map((r) => r.id).sort()).toEqual([
      "ecs.task-reads-credential-endpoint", "efs.file-system-deleted", "eks.cluster-created-or-deleted",
      "elasticache.security-group-changed", "glue.dev-endpoint-changed", "sso.identity-source-changed",
    ]);
  });
});
