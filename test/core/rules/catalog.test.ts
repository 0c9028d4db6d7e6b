import { readdirSync } from "node:fs";
import { join } from "node:path";
import { SEVERITIES } from "../../../functions/core/alert/alert";
import { REMEDIATION_PERMISSIONS } from "../../../functions/core/remediation/permissions";
import { catalog } from "../../../functions/core/rules/catalog";
import { remediableRules } from "../../../functions/core/rules/catalog/remediable";
import { ATTACK_TECHNIQUES } from "../../../functions/core/rules/attack";
import { RuleConfigError, RuleEngine, toAlert } from "../../../functions/core/rules/engine";
import type { AnyRule } from "../../../functions/core/rules/rule";
import { isRawThresholdRule, isThresholdRule, THRESHOLD_LIMITS, type CatalogRule } from "../../../functions/core/rules/threshold-rule";
import * as z from "../../../functions/core/zod";
import { stratusTechniques } from "./coverage";
import { loadExamples } from "./examples";
import { pantherCases } from "./panther";

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
    const loaded = files.map((f) => ({ f, rule: (require(join(CATALOG_DIR, f)) as { default: CatalogRule }).default }));
    // Assess
    expect(loaded.filter((x) => !catalog.includes(x.rule)).map((x) => x.f)).toEqual([]);
    expect(loaded.filter((x) => x.f !== `${x.rule.id.replace(".", "-")}.ts`).map((x) => `${x.f} holds ${x.rule.id}`)).toEqual([]);
    expect(catalog.length).toBe(files.length);
    expect(catalog.length).toBeGreaterThanOrEqual(32);
  });

  it("keeps the rules of one function only (guard-only/) in the catalog's layout but out of the catalog", () => {
    // Prepare
    const dir = join(CATALOG_DIR, "guard-only");
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
    // Act
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = files.map((f) => ({ f, rule: (require(join(dir, f)) as { default: CatalogRule }).default }));
    // Assess
    expect(files).toEqual(["cloudtrail-trail-tampering.ts"]);
    expect(loaded.filter((x) => x.f !== `${x.rule.id.replace(".", "-")}.ts`).map((x) => `${x.f} holds ${x.rule.id}`)).toEqual([]);
    expect(loaded.filter((x) => catalog.some((r) => r.id === x.rule.id)).map((x) => x.f)).toEqual([]);
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

  const stratus = new Set(stratusTechniques().map((t) => t.id));
  const panther = new Set(pantherCases().map((c) => c.rule_id));

  it.each(catalog.map((r) => [r.id, r] as const))("%s carries the metadata people expect: status, false positives, a runbook, known ATT&CK, Stratus and Panther ids, a URL", (_id, rule) => {
    expect(["experimental", "stable"]).toContain(rule.status);
    expect(rule.falsePositives?.length).toBeGreaterThan(0);
    for (const fp of rule.falsePositives ?? []) expect(fp.length).toBeGreaterThan(20);
    // The runbook starts with concrete checks, then says how to contain.
    expect(rule.runbook?.triage.length).toBeGreaterThan(0);
    expect(rule.runbook?.contain.length).toBeGreaterThan(0);
    for (const step of [...(rule.runbook?.triage ?? []), ...(rule.runbook?.contain ?? [])]) {
      expect(step.length).toBeGreaterThan(30);
      expect(step.length).toBeLessThanOrEqual(300);
    }
    expect((rule.references.mitre ?? []).filter((m) => !ATTACK_TECHNIQUES[m])).toEqual([]);
    expect((rule.references.mitre ?? []).some((m) => ATTACK_TECHNIQUES[m]?.matrix === "cloud" || m.startsWith("T1584"))).toBe(true);
    expect((rule.references.stratus ?? []).filter((x) => !stratus.has(x))).toEqual([]);
    expect((rule.references.panther ?? []).filter((x) => !panther.has(x))).toEqual([]);
    expect(rule.references.urls?.length).toBeGreaterThan(0);
    for (const u of rule.references.urls ?? []) expect(u).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\//);
  });

  it.each(catalog.filter(isThresholdRule).map((r) => [r.id, r] as const))("threshold rule %s has sound, bounded defaults, and watches every source only raw and by identity type", (_id, rule) => {
    const d = rule.settings.defaults;
    expect(d.threshold).toBeGreaterThanOrEqual(2);
    expect(d.threshold).toBeLessThanOrEqual(THRESHOLD_LIMITS.threshold);
    expect(d.windowMinutes).toBeGreaterThanOrEqual(1);
    expect(d.dedupMinutes).toBeGreaterThanOrEqual(d.windowMinutes);
    expect(d.ignorePrincipals).toEqual([]);
    expect(z.safeParse(rule.settings.schema, d).success).toBe(true);
    expect(["events", "distinct"]).toContain(rule.count);
    if (rule.eventSources.includes("*")) {
      expect(isRawThresholdRule(rule)).toBe(true);
      expect(rule.identityTypes?.length).toBeGreaterThan(0);
    }
    if (!isRawThresholdRule(rule) && rule.count === "distinct") expect(typeof (rule as { values?: unknown }).values).toBe("function");
  });

  it.each(catalog.filter((r): r is AnyRule => !isThresholdRule(r)).map((r) => [r.id, r] as const))("%s tells people who did what to what for each of its positives", (id, rule) => {
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

describe("settings of threshold rules", () => {
  const ID = "secretsmanager.secrets-read-burst";

  it("accept a new threshold, window, dedup period and ignored principals", () => {
    const engine = new RuleEngine(catalog, { only: [ID], settings: { [ID]: { threshold: 3, windowMinutes: 5, ignorePrincipals: ["role/secrets-inventory$"] } } });
    expect(engine.settingsOf(ID)).toEqual({ threshold: 3, windowMinutes: 5, dedupMinutes: 60, ignorePrincipals: ["role/secrets-inventory$"] });
  });

  it("are rejected clearly when out of bounds, misspelt or not a regular expression", () => {
    const attempt = (s: unknown) => () => new RuleEngine(catalog, { settings: { [ID]: s } });
    expect(attempt({ threshold: 0 })).toThrow(/secretsmanager\.secrets-read-burst.*threshold/);
    expect(attempt({ threshold: 10_000 })).toThrow(/threshold/);
    expect(attempt({ windowMinutes: 1.5 })).toThrow(/windowMinutes/);
    expect(attempt({ treshold: 3 })).toThrow(/treshold/);
    expect(attempt({ ignorePrincipals: ["role/(unclosed"] })).toThrow(/ignorePrincipals\.0.*not a valid regular expression/);
  });
});
