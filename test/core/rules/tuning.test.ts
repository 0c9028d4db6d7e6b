import { catalog } from "../../../functions/core/rules/catalog";
import { RuleConfigError, RuleEngine, toAlert } from "../../../functions/core/rules/engine";
import { ThresholdTracker } from "../../../functions/core/rules/threshold-tracker";
import { tunedRules } from "../../../functions/core/rules/tuning/apply";
import { compileTuning } from "../../../functions/core/rules/tuning/compile";
import { formatPath } from "../../../functions/core/rules/tuning/path";
import { scanLogs } from "../../../functions/core/scan";
import type { LogSource } from "../../../functions/core/ports";
import { MemoryThresholdStore } from "../../../functions/adapters/local/memory-threshold-store";
import { loadExamples } from "./examples";
import { expandSequence, type Sequence } from "./sequences";

const ADMIN = "iam.admin-policy-attached";
/** AdministratorAccess attached by an Identity Center session from 198.51.100.23 with the AWS CLI, in 111122223333, us-east-1. */
const attach = loadExamples(ADMIN)!.positive[0]!;
const SESSION_ARN = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_3b1e4f2a9c8d7e6f/maria.garcia@example.com";
const ROLE_ARN = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_3b1e4f2a9c8d7e6f";
const NOW = Date.parse("2026-11-20T12:00:00Z");

/** An engine running the tuned rules (throws the tuning's problems), with what its suppressions did. */
function tuned(section: unknown, now = NOW, opts: { minSeverity?: "medium" } = {}) {
  const { tuning, issues } = compileTuning(catalog, section);
  if (issues.length) throw new Error(issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("\n"));
  const t = tunedRules(catalog, tuning, { now: () => now });
  const engine = new RuleEngine(t.rules, { settings: t.settings, ...opts });
  return Object.assign(engine, { suppressionReport: () => t.suppressions?.report(engine.rules.map((r) => r.id)) ?? { suppressed: [], expired: [] } });
}

function problems(section: unknown): string[] {
  return compileTuning(catalog, section).issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** The IAM change audit (info) records every IAM change, the attachment too; these tests are about the rules they tune. */
const AUDIT = "iam.configuration-changed";

/** The rules that fire on a record, with their severities (the change audit left out). */
function fired(engine: RuleEngine, record: Record<string, unknown>): string[] {
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  if (ev.kind !== "findings") throw new Error(ev.reason);
  return ev.findings.filter((f) => f.rule.id !== AUDIT).map((f) => `${f.rule.id}:${f.severity}`);
}

const suppress = (s: Record<string, unknown>) => ({ [ADMIN]: { suppressions: [{ reason: "platform team's approved break-glass grants", ...s }] } });

describe("tuning the rules of a deployment", () => {
  it("runs a rule as it is when nothing is tuned", () => {
    expect(fired(tuned({}), attach)).toEqual([`${ADMIN}:high`]);
  });

  it("switches a rule off", () => {
    // Act
    const engine = tuned({ [ADMIN]: { enabled: false } });
    // Assess
    expect(fired(engine, attach)).toEqual([]);
    expect(engine.rules.map((r) => r.id)).not.toContain(ADMIN);
    expect(() => tunedRules(catalog, compileTuning(catalog, { [ADMIN]: { enabled: false } }).tuning, { only: [ADMIN] })).toThrow(/"iam.admin-policy-attached" is switched off/);
  });

  it("sets the severity of every alert of a rule, whatever the rule would have said", () => {
    const engine = tuned({ [ADMIN]: { severity: "low" }, "iam.access-key-created": { severity: "critical" } });
    expect(fired(engine, attach)).toEqual([`${ADMIN}:low`]);
    const ev = engine.evaluate(attach as { eventSource: string; eventName: string });
    expect(ev.kind === "findings" && toAlert(ev.findings[0]!).severity).toBe("low");
    // A minimum severity applies to the tuned severity.
    expect(fired(tuned({ [ADMIN]: { severity: "low" } }, NOW, { minSeverity: "medium" }), attach)).toEqual([]);
  });

  describe("suppressions", () => {
    it.each([
      ["principal: the role of the session", { principal: "arn:aws:iam::*:role/*/AWSReservedSSO_AdministratorAccess_*" }, { principal: "arn:aws:iam::*:role/*/AWSReservedSSO_ReadOnly_*" }],
      ["principal: the session ARN CloudTrail wrote", { principal: "arn:aws:sts::111122223333:assumed-role/*/maria.garcia@example.com" }, { principal: "arn:aws:sts::111122223333:assumed-role/*/other@example.com" }],
      ["account", { account: "111122223333" }, { account: ["444455556666", "999988887777"] }],
      ["organizational unit", { ou: "ou-ab12-11111111" }, { ou: "ou-ab12-22222222" }],
      ["source network", { cidr: "198.51.100.0/24" }, { cidr: ["203.0.113.0/24", "2001:db8::/32"] }],
      ["source address", { cidr: "198.51.100.23" }, { cidr: "198.51.100.24" }],
      ["user agent", { userAgent: "aws-cli/2.*" }, { userAgent: "terraform*" }],
      ["region", { region: ["eu-west-1", "us-east-1"] }, { region: "eu-west-1" }],
    ])("by %s keep matching events back and count them, and leave the others alone", (_what, hit, miss) => {
      // Prepare
      const ous = { organizationalUnits: { "ou-ab12-11111111": ["111122223333"], "ou-ab12-22222222": ["444455556666"] } };
      const on = tuned({ ...ous, ...suppress(hit) });
      const off = tuned({ ...ous, ...suppress(miss) });
      // Act
      const suppressed = fired(on, attach);
      const alerted = fired(off, attach);
      // Assess
      expect(suppressed).toEqual([]);
      expect(on.suppressionReport().suppressed).toEqual([
        { rule: ADMIN, suppression: `rules["${ADMIN}"].suppressions[0]`, reason: "platform team's approved break-glass grants", count: 1 },
      ]);
      expect(alerted).toEqual([`${ADMIN}:high`]);
      expect(off.suppressionReport().suppressed).toEqual([]);
    });

    it("need every condition they name to hold", () => {
      expect(fired(tuned(suppress({ account: "111122223333", region: "us-east-1", cidr: "198.51.100.0/24" })), attach)).toEqual([]);
      expect(fired(tuned(suppress({ account: "111122223333", region: "eu-west-1" })), attach)).toEqual([`${ADMIN}:high`]);
    });

    it("match principal patterns without regard to case, on the role or the session ARN", () => {
      expect(fired(tuned(suppress({ principal: ROLE_ARN.toUpperCase().replace("ARN:AWS:IAM", "arn:aws:iam") })), attach)).toEqual([]);
      expect(fired(tuned(suppress({ principal: SESSION_ARN })), attach)).toEqual([]);
    });

    it("stop applying once expired, and say so with the matches they would have kept back", () => {
      // Prepare: the same suppression, before and after its expiry date (end of 2026-11-19, UTC).
      const section = suppress({ account: "111122223333", expires: "2026-11-19" });
      const before = tuned(section, Date.parse("2026-11-19T23:59:59Z"));
      const after = tuned(section, Date.parse("2026-11-20T00:00:00Z"));
      // Act
      const whileValid = fired(before, attach);
      const onceExpired = fired(after, attach);
      // Assess
      expect(whileValid).toEqual([]);
      expect(before.suppressionReport()).toEqual({ suppressed: [expect.objectContaining({ count: 1, expires: "2026-11-19" })], expired: [] });
      expect(onceExpired).toEqual([`${ADMIN}:high`]);
      expect(after.suppressionReport()).toEqual({
        suppressed: [],
        expired: [{ rule: ADMIN, suppression: `rules["${ADMIN}"].suppressions[0]`, reason: "platform team's approved break-glass grants", expires: "2026-11-19", matches: 1 }],
      });
    });

    it("expire at the time given with its zone, by the clock and never by the event's own time", () => {
      const section = suppress({ account: "111122223333", expires: "2026-11-20T11:00:00+01:00" });
      expect(fired(tuned(section, Date.parse("2026-11-20T09:59:59Z")), attach)).toEqual([]);
      const late = tuned(section, Date.parse("2026-11-20T10:00:00Z"));
      // The record claims a time long before the expiry: that changes nothing.
      expect(fired(late, { ...attach, eventTime: "2020-01-01T00:00:00Z" })).toEqual([`${ADMIN}:high`]);
      expect(late.suppressionReport().expired).toHaveLength(1);
    });

    it("let the first suppression that applies take the match, and count each", () => {
      const engine = tuned({ [ADMIN]: { suppressions: [
        { account: "444455556666", reason: "sandbox" },
        { cidr: "198.51.100.0/24", reason: "office network" },
        { account: "111122223333", reason: "also matches, never reached" },
      ] } });
      fired(engine, attach);
      fired(engine, { ...attach, eventID: "other" });
      expect(engine.suppressionReport().suppressed).toEqual([expect.objectContaining({ suppression: `rules["${ADMIN}"].suppressions[1]`, reason: "office network", count: 2 })]);
    });

    it("apply to threshold rules before they count, so a known scanner never makes a burst", async () => {
      // Prepare: a burst of denied calls by mallory (the rule's positive example).
      const burst = (loadExamples("aws.access-denied-burst") as unknown as { positive: Sequence[] }).positive[0]!;
      const records = expandSequence(burst);
      const run = async (section: unknown) => {
        const { tuning } = compileTuning(catalog, section);
        const t = tunedRules(catalog, tuning, { only: ["aws.access-denied-burst"] });
        const engine = new RuleEngine(t.rules, { settings: t.settings, only: ["aws.access-denied-burst"] });
        const source: LogSource = { async *files() { yield { id: "f" }; }, read: async () => ({ records, invalid: [], bytes: 0 }) };
        return scanLogs(source, engine, { thresholds: new ThresholdTracker(new MemoryThresholdStore()), ...(t.suppressions ? { suppressions: t.suppressions } : {}) });
      };
      // Act
      const plain = await run({});
      const reranked = await run({ "aws.access-denied-burst": { severity: "critical" } });
      const quiet = await run({ "aws.access-denied-burst": { suppressions: [{ principal: "arn:aws:iam::111122223333:user/mallory", reason: "pentest of week 47" }] } });
      // Assess
      expect(plain.alerts.map((a) => a.rule)).toEqual(["aws.access-denied-burst"]);
      expect(reranked.alerts.map((a) => a.severity)).toEqual(["critical"]);
      expect(quiet.alerts).toEqual([]);
      expect(quiet.suppressed).toEqual([expect.objectContaining({ rule: "aws.access-denied-burst", count: records.length })]);
    });
  });

  describe("settings", () => {
    it("hand a shared setting to every rule that takes it, and let a rule's own settings win", () => {
      // Prepare
      const { tuning, issues } = compileTuning(catalog, {
        shared: { trustedAccounts: ["444455556666"] },
        "ec2.snapshot-shared": { settings: { trustedAccounts: ["999988887777"] } },
      });
      // Assess
      expect(issues).toEqual([]);
      const takers = catalog.filter((r) => r.settings && "trustedAccounts" in (r.settings.defaults as object)).map((r) => r.id);
      expect(takers.length).toBeGreaterThan(2);
      for (const id of takers.filter((id) => id !== "ec2.snapshot-shared")) expect((tuning.settings.get(id) as { trustedAccounts: string[] }).trustedAccounts).toEqual(["444455556666"]);
      expect((tuning.settings.get("ec2.snapshot-shared") as { trustedAccounts: string[] }).trustedAccounts).toEqual(["999988887777"]);
      expect((tuning.settings.get("ssm.plaintext-secret-parameter") as Record<string, unknown>).trustedAccounts).toBeUndefined();
    });

    it("change what a rule finds: a trusted account is no longer an outsider", () => {
      const share = { ...loadExamples("ec2.ami-shared")!.positive[1]! };
      const account = JSON.stringify(share).match(/"userId":\s*"(\d{12})"/)?.[1];
      expect(account).toBeDefined();
      expect(fired(tuned({}), share)).toHaveLength(1);
      expect(fired(tuned({ shared: { trustedAccounts: [account] } }), share)).toEqual([]);
    });
  });

  describe("problems, each named by its path", () => {
    it.each([
      [{ [ADMIN]: { suppressions: [{ reason: "x", cidr: "10.0.0.0/33" }] } }, `rules["${ADMIN}"].suppressions[0].cidr: not a CIDR: the prefix length of an IPv4 network is at most 32`],
      [{ [ADMIN]: { suppressions: [{ reason: "x", account: "1" }, { reason: "y", region: "x" }, { reason: "z", cidr: ["10.0.0.0/8", "nope"] }] } }, `rules["${ADMIN}"].suppressions[2].cidr[1]: not a CIDR`],
      [{ [ADMIN]: { suppressions: [{ cidr: "10.0.0.0/8" }] } }, `rules["${ADMIN}"].suppressions[0].reason: required: say why`],
      [{ [ADMIN]: { suppressions: [{ reason: "everything" }] } }, `rules["${ADMIN}"].suppressions[0]: names nothing to match`],
      [{ [ADMIN]: { suppressions: [{ reason: "x", account: "111122223333", expires: "2026-02-30" }] } }, `rules["${ADMIN}"].suppressions[0].expires: expected a date such as 2026-12-31`],
      [{ [ADMIN]: { suppressions: [{ reason: "x", principal: "role/scanner" }] } }, `rules["${ADMIN}"].suppressions[0].principal: is not an ARN pattern`],
      [{ [ADMIN]: { suppressions: [{ reason: "x", ou: "ou-ab12-11111111" }] } }, `rules["${ADMIN}"].suppressions[0].ou: ou-ab12-11111111 is not in organizationalUnits: trailwatch does not ask AWS Organizations`],
      [{ [ADMIN]: { suppressions: [{ reason: "x", ip: "10.0.0.1" }] } }, `rules["${ADMIN}"].suppressions[0].ip: unknown key "ip"`],
      [{ [ADMIN]: { severity: "severe" } }, `rules["${ADMIN}"].severity: expected one of info, low, medium, high, critical`],
      [{ [ADMIN]: { enabled: "no" } }, `rules["${ADMIN}"].enabled: expected true or false`],
      [{ [ADMIN]: { settings: { x: 1 } } }, `rules["${ADMIN}"].settings: rule "${ADMIN}" takes no settings`],
      [{ "ssm.plaintext-secret-parameter": { namePatterns: ["secret"] } }, 'rules["ssm.plaintext-secret-parameter"].namePatterns: "namePatterns" is a setting of the rule: put it under "settings"'],
      [{ "ssm.plaintext-secret-parameter": { settings: { namePatterns: "secret" } } }, 'rules["ssm.plaintext-secret-parameter"].settings.namePatterns: '],
      [{ shared: { trustedAccounts: ["1"] } }, "rules.shared.trustedAccounts[0]: must be a 12-digit AWS account id (checked by rule"],
      [{ shared: { trustedAcounts: [] } }, 'rules.shared.trustedAcounts: no rule takes a setting "trustedAcounts" (settings several rules take: '],
      [{ "iam.no-such-rule": {} }, 'rules["iam.no-such-rule"]: unknown rule id "iam.no-such-rule" (rules of iam: iam.access-key-created,'],
      [{ suppressions: [] }, 'rules.suppressions: unknown key "suppressions": rule ids look like service.what-happened'],
      [{ organizationalUnits: { "ou-ab12-11111111": ["12"] } }, 'rules.organizationalUnits["ou-ab12-11111111"][0]: expected a 12-digit AWS account id'],
    ])("%j", (section, message) => {
      expect(problems(section)).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    });

    it("are all reported at once", () => {
      expect(problems({ [ADMIN]: { severity: "x", suppressions: [{ reason: "x", cidr: "y" }] }, shared: 3 })).toHaveLength(3);
    });

    it("keep a tuning from running rules it was not compiled for", () => {
      const { tuning } = compileTuning(catalog.slice(1), {});
      expect(() => tunedRules(catalog, tuning)).toThrow(RuleConfigError);
    });
  });
});
