import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Alert } from "../../../functions/core/alert/alert";
import { OCSF_VERSION, toOcsfDetectionFinding } from "../../../functions/core/formats/ocsf";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { scanLogs } from "../../../functions/core/scan";
import { detectionFinding } from "./ocsf-schema";

/** The alerts of every rule's positive examples: every rule's output shape, with real-world records. */
async function catalogAlerts(): Promise<Alert[]> {
  const dir = join(__dirname, "../../fixtures/rules");
  const records: Record<string, unknown>[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json"))) records.push(...(JSON.parse(readFileSync(join(dir, f), "utf8")) as { positive: Record<string, unknown>[] }).positive);
  const source = { files: async function* () { yield { id: "examples" }; }, read: async () => ({ records, invalid: [], bytes: 0 }) };
  return (await scanLogs(source, new RuleEngine(catalog))).alerts;
}

describe("--format ocsf: OCSF Detection Finding (class 2004)", () => {
  let alerts: Alert[];
  beforeAll(async () => (alerts = await catalogAlerts()));

  it("gives every alert of every rule as a finding with the required attributes and valid enums", () => {
    expect(new Set(alerts.map((a) => a.rule)).size).toBeGreaterThanOrEqual(40);
    for (const a of alerts) {
      const finding = toOcsfDetectionFinding(a, { version: "0.1.0" });
      const check = detectionFinding.safeParse(finding);
      if (!check.success) throw new Error(`${a.rule}: ${check.error.message}`);
    }
  });

  it("maps the alert's fields to their OCSF places", () => {
    // Prepare
    const a: Alert = {
      id: "4f1c", rule: "cloudtrail.logging-stopped", title: "CloudTrail logging stopped", severity: "critical", account: "111122223333", region: "eu-west-1",
      principal: "arn:aws:sts::111122223333:assumed-role/ops/eve", principalType: "AssumedRole", eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging",
      eventTime: "2026-11-20T10:00:00Z", lastEventTime: "2026-11-20T11:00:00Z", eventId: "e-1", summary: "ops (session eve) stopped logging on trail org-trail",
      context: { trail: "org-trail", sourceIPAddress: "198.51.100.7" }, remediation: { action: "cloudtrail:StartLogging", mode: "apply", status: "succeeded", detail: "logging restarted" },
      references: { mitre: ["T1562.008", "T1078"] }, occurrences: 3,
    };
    // Act
    const f = toOcsfDetectionFinding(a, { version: "1.2.3" }) as Record<string, any>;
    // Assess
    expect(f).toEqual(expect.objectContaining({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, severity_id: 5, severity: "Critical", status_id: 1, is_alert: true, time: Date.parse("2026-11-20T10:00:00Z") }));
    expect(f.metadata).toEqual({ version: OCSF_VERSION, product: { name: "trailwatch", vendor_name: "trailwatch", version: "1.2.3" }, original_time: "2026-11-20T10:00:00Z", tenant_uid: "111122223333" });
    expect(f.finding_info).toEqual(expect.objectContaining({ uid: "4f1c", title: "CloudTrail logging stopped", analytic: { uid: "cloudtrail.logging-stopped", name: "cloudtrail.logging-stopped", type_id: 1, type: "Rule" }, last_seen_time: Date.parse("2026-11-20T11:00:00Z") }));
    expect(f.finding_info.attacks).toEqual([{ technique: { uid: "T1562" }, sub_technique: { uid: "T1562.008" } }, { technique: { uid: "T1078" } }]);
    expect(f.cloud).toEqual({ provider: "AWS", region: "eu-west-1", account: { uid: "111122223333" } });
    expect(f.evidences[0]).toEqual({
      actor: { user: { uid: a.principal, name: "assumed-role/ops/eve", type_id: 99, type: "AssumedRole" } },
      api: { operation: "StopLogging", service: { name: "cloudtrail.amazonaws.com" }, request: { uid: "e-1" } },
      src_endpoint: { ip: "198.51.100.7" },
    });
    expect(f.remediation.desc).toBe("cloudtrail:StartLogging (apply): succeeded: logging restarted");
    expect(f.unmapped.trailwatch).toEqual(expect.objectContaining({ occurrences: 3, context: a.context }));
    expect(detectionFinding.safeParse(f).success).toBe(true);
  });

  it("leaves out a source address that is not an IP (records say e.g. \"AWS Internal\") and stays valid", () => {
    const a = { ...alerts[0]!, context: { sourceIPAddress: "AWS Internal" }, principalType: undefined };
    const f = toOcsfDetectionFinding(a, { version: "1" }) as Record<string, any>;
    expect(f.evidences[0].src_endpoint).toBeUndefined();
    expect(f.evidences[0].actor.user.type_id).toBe(0);
    expect(detectionFinding.safeParse(f).success).toBe(true);
  });

  it("the test schema rejects what the reference forbids (so the checks above can fail)", () => {
    const good = toOcsfDetectionFinding(alerts[0]!, { version: "1" }) as Record<string, any>;
    expect(detectionFinding.safeParse({ ...good, severity_id: 7 }).success).toBe(false);
    expect(detectionFinding.safeParse({ ...good, type_uid: 200402 }).success).toBe(false);
    expect(detectionFinding.safeParse({ ...good, finding_info: { title: "no uid" } }).success).toBe(false);
    expect(detectionFinding.safeParse({ ...good, metadata: { ...good.metadata, version: "1.9.0-dev" } }).success).toBe(false);
  });
});
