import { readdirSync } from "node:fs";
import { join } from "node:path";
import { SEVERITIES } from "../../../functions/core/alert/alert";
import { REMEDIATION_PERMISSIONS } from "../../../functions/core/remediation/permissions";
import { catalog } from "../../../functions/core/rules/catalog";
import { remediableRules } from "../../../functions/core/rules/catalog/remediable";
import { RuleConfigError, RuleEngine, toAlert } from "../../../functions/core/rules/engine";
import type { AnyRule } from "../../../functions/core/rules/rule";
import { loadExamples } from "./examples";

const CATALOG_DIR = join(__dirname, "../../../functions/core/rules/catalog");
const ID = /^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/;
const SSM = "ssm.plaintext-secret-parameter";

function putParameter(name: string, type = "String") {
  return {
    eventVersion: "1.09", eventTime: "2026-10-14T09:00:00Z", eventSource: "ssm.amazonaws.com", eventName: "PutParameter", awsRegion: "eu-west-1",
    recipientAccountId: "111122223333", eventID: `e-${name}`,
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/dev-jane", accountId: "111122223333", userName: "dev-jane" },
    requestParameters: { name, type, overwrite: false }, responseElements: { version: 1, tier: "Standard" },
  };
}

function fires(engine: RuleEngine, record: { eventSource: string; eventName: string }): boolean {
  const ev = engine.evaluate(record);
  return ev.kind === "findings" && ev.findings.length > 0;
}

describe("the rule catalog", () => {
  it("lists every rule file of the catalog folder, one rule per file named after its id", () => {
    // Prepare
    const files = readdirSync(CATALOG_DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "remediable.ts").sort();
    // Act
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = files.map((f) => ({ f, rule: (require(join(CATALOG_DIR, f)) as { default: AnyRule }).default }));
    // Assess
    expect(loaded.filter((x) => !catalog.includes(x.rule)).map((x) => x.f)).toEqual([]);
    expect(loaded.filter((x) => x.f !== `${x.rule.id.replace(".", "-")}.ts`).map((x) => `${x.f} holds ${x.rule.id}`)).toEqual([]);
    expect(catalog.length).toBe(files.length);
    expect(catalog.length).toBeGreaterThanOrEqual(32);
  });

  it("lists in remediableRules exactly the rules that carry a remediation (the remediator's catalog)", () => {
    const withRemediation = catalog.filter((r) => r.remediation).map((r) => r.id).sort();
    expect(remediableRules.map((r) => r.id).sort()).toEqual(withRemediation);
    expect(remediableRules.every((r) => catalog.includes(r))).toBe(true);
    expect(withRemediation.length).toBeGreaterThanOrEqual(4);
  });

  it("has unique, well-formed ids (service.what-happened)", () => {
    const ids = catalog.map((r) => r.id);
    expect(ids.filter((id) => !ID.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(catalog.map((r) => [r.id, r] as const))("%s declares what it watches, its severity, references and remediation correctly", (_id, rule) => {
    expect(SEVERITIES).toContain(rule.severity);
    expect(rule.title.length).toBeGreaterThan(5);
    expect(rule.description.length).toBeGreaterThan(40);
    expect(rule.eventSources.length).toBeGreaterThan(0);
    for (const s of rule.eventSources) expect(s === "*" || /^[a-z0-9-]+\.amazonaws\.com$/.test(s)).toBe(true);
    // A rule on every source must be narrowed by identity or event type, or it would validate every record.
    if (rule.eventSources.includes("*")) expect((rule.identityTypes?.length ?? 0) + (rule.eventTypes?.length ?? 0)).toBeGreaterThan(0);
    if (rule.eventNames !== "*") {
      expect(rule.eventNames.length).toBeGreaterThan(0);
      for (const n of rule.eventNames) expect(n).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    }
    const refs = Object.values(rule.references).flat();
    expect(refs.length).toBeGreaterThan(0);
    expect(rule.references.mitre?.length).toBeGreaterThan(0);
    for (const m of rule.references.mitre ?? []) expect(m).toMatch(/^T\d{4}(\.\d{3})?$/);
    for (const s of rule.references.stratus ?? []) expect(s).toMatch(/^aws\.[a-z-]+\.[a-z0-9-]+$/);
    if (rule.remediation) expect(Object.keys(REMEDIATION_PERMISSIONS)).toContain(rule.remediation);
  });

  it.each(catalog.map((r) => [r.id, r] as const))("%s tells people who did what to what for each of its positives", (id, rule) => {
    // Prepare
    const engine = new RuleEngine(catalog, { only: [id] });
    const positives = loadExamples(id)?.positive ?? [];
    expect(positives.length).toBeGreaterThan(0);
    for (const record of positives) {
      // Act
      const ev = engine.evaluate(record as { eventSource: string; eventName: string });
      expect(ev.kind).toBe("findings");
      const finding = ev.kind === "findings" ? ev.findings[0] : undefined;
      expect(finding).toBeDefined();
      const alert = toAlert(finding!);
      // Assess: one sentence, no holes, facts a responder can use, a valid severity.
      expect(alert.summary.length).toBeGreaterThan(20);
      expect(alert.summary).not.toMatch(/undefined|null|\[object Object\]|NaN/);
      expect(SEVERITIES).toContain(alert.severity);
      expect(() => JSON.stringify(alert.context)).not.toThrow();
      expect(Object.keys(rule.context?.(finding!.record, finding!.ctx, finding!.match) ?? {}).length).toBeGreaterThan(0);
    }
    expect(engine.ruleErrors.size).toBe(0);
  });
});

describe("settings of ssm.plaintext-secret-parameter", () => {
  it("are configurable: own patterns replace the defaults and allowNames silences a name", () => {
    // Prepare
    const defaults = new RuleEngine(catalog, { only: [SSM] });
    const custom = new RuleEngine(catalog, { only: [SSM], settings: { [SSM]: { namePatterns: ["^/legacy/.*pin$"], allowNames: ["/prod/app/DB_PASSWORD"] } } });
    const allowOnly = new RuleEngine(catalog, { only: [SSM], settings: { [SSM]: { allowNames: ["/PROD/app/db_password"] } } });
    // Act / Assess
    expect(fires(defaults, putParameter("/legacy/atm/pin"))).toBe(false);
    expect(fires(custom, putParameter("/legacy/atm/pin"))).toBe(true);
    expect(fires(custom, putParameter("/prod/app/api-key"))).toBe(false);
    expect(fires(defaults, putParameter("/prod/app/DB_PASSWORD"))).toBe(true);
    expect(fires(allowOnly, putParameter("/prod/app/DB_PASSWORD"))).toBe(false);
    expect(fires(allowOnly, putParameter("/prod/app/api-key"))).toBe(true);
  });

  it("match names case-insensitively, word by word, and skip metadata about secrets", () => {
    const engine = new RuleEngine(catalog, { only: [SSM] });
    const secret = ["/prod/DB_PASSWORD", "/prod/dbPassword", "/app/SlackBotToken", "/app/github_token", "/ci/API-KEY", "/app/private_key.pem", "/db/conn-string", "/svc/creds", "/x/passwd", "/app/pass"];
    const notSecret = ["/app/rate-limiter/token-bucket-size", "/app/db-secret-arn", "/app/secretName", "/travel/passport-number-format", "/net/bypass-proxy", "/nlp/tokenizer-model", "/auth/password-min-length", "/app/feature-flags"];
    expect(secret.filter((n) => !fires(engine, putParameter(n)))).toEqual([]);
    expect(notSecret.filter((n) => fires(engine, putParameter(n)))).toEqual([]);
    expect(fires(engine, putParameter("/prod/DB_PASSWORD", "SecureString"))).toBe(false);
    expect(fires(engine, putParameter("/prod/DB_PASSWORD", "StringList"))).toBe(true);
  });

  it("reject invalid settings with a RuleConfigError that names the rule, the setting and the problem", () => {
    const attempt = (s: unknown) => () => new RuleEngine(catalog, { settings: { [SSM]: s } });
    expect(attempt({ namePatterns: ["pass(word"] })).toThrow(RuleConfigError);
    expect(attempt({ namePatterns: ["pass(word"] })).toThrow(/ssm\.plaintext-secret-parameter.*namePatterns\.0.*not a valid regular expression/);
    expect(attempt({ namePatterns: [] })).toThrow(/namePatterns/);
    expect(attempt({ namePatterns: "password" })).toThrow(/namePatterns/);
    expect(attempt({ allowName: ["x"] })).toThrow(/allowName/);
    expect(() => new RuleEngine(catalog, { settings: { "cloudtrail.logging-stopped": { x: 1 } } })).toThrow(/takes no settings/);
  });
});
