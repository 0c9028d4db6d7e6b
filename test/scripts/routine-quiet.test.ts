import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import { MemoryThresholdStore } from "../../functions/adapters/local/memory-threshold-store";
import { severityRank, type Alert } from "../../functions/core/alert/alert";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { ThresholdTracker } from "../../functions/core/rules/threshold-tracker";
import { scanLogs, type ScanResult } from "../../functions/core/scan";
import { generateOrganization } from "../../scripts/generator";
import { CONFIG_SECRETS, SETTINGS_PARAMETERS } from "../../scripts/generator/routine-ops";

/**
 * More rules must not mean more noise: five working days of the generated organization's routine (no attacks
 * injected) scanned as `trailwatch scan` does, threshold rules included, raises no alert of medium
 * severity or more. The routine holds what new rules could mistake for attacks, and the test checks
 * that it does, so it cannot pass on empty days.
 */
describe("the generated organization's routine", () => {
  let dir: string;
  let result: ScanResult;
  let records: Record<string, unknown>[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trailwatch-quiet-"));
    await generateOrganization({ outDir: dir, seed: "routine-quiet", days: 5, endDate: "2026-11-20", attacks: false });
    records = [];
    const source = new LocalLogSource([join(dir, "AWSLogs")]);
    for await (const f of source.files()) if (!f.skip) records.push(...(await source.read(f)).records);
    result = await scanLogs(new LocalLogSource([join(dir, "AWSLogs")]), new RuleEngine(catalog), { thresholds: new ThresholdTracker(new MemoryThresholdStore()) });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const count = (pred: (r: Record<string, unknown>) => boolean) => records.filter(pred).length;
  const principalArn = (r: Record<string, unknown>) => String((r.userIdentity as { arn?: string } | undefined)?.arn ?? "");

  it("holds the routine that looks like attacks: CI deploys, secret and parameter bursts, Session Manager, sign-ins with MFA, auto scaling", () => {
    expect(count((r) => r.eventName === "UpdateFunctionCode20150331v2" && principalArn(r).includes("assumed-role/github-actions-deploy/"))).toBeGreaterThan(50);
    expect(count((r) => r.eventName === "ExecuteChangeSet")).toBeGreaterThan(30);
    expect(count((r) => r.eventName === "GetSecretValue" && CONFIG_SECRETS.some((s) => JSON.stringify(r.requestParameters).includes(`/checkout/${s}-`)))).toBeGreaterThan(8 * 20);
    expect(count((r) => r.eventName === "GetParameters" && SETTINGS_PARAMETERS.some((s) => JSON.stringify(r.requestParameters).includes(s)))).toBeGreaterThan(100);
    expect(count((r) => r.eventName === "StartSession" && principalArn(r).includes("AWSReservedSSO_AdministratorAccess"))).toBeGreaterThan(10);
    expect(count((r) => r.eventName === "SendCommand")).toBeGreaterThan(10);
    expect(count((r) => r.eventName === "ConsoleLogin" && (r.additionalEventData as { MFAUsed?: string } | undefined)?.MFAUsed === "Yes")).toBeGreaterThan(10);
    expect(count((r) => r.eventName === "RunInstances" && principalArn(r).includes("AWSServiceRoleForAutoScaling"))).toBeGreaterThan(10);
    expect(count((r) => r.errorCode === "AccessDenied")).toBeGreaterThan(50);
  });

  it("raises no alert of medium severity or more", () => {
    const loud = result.alerts.filter((a: Alert) => severityRank(a.severity) >= severityRank("medium"));
    expect(loud.map((a) => `${a.severity} ${a.rule}: ${a.summary}`)).toEqual([]);
    expect(result.ruleErrors).toEqual([]);
    expect(result.stats.invalidRecords).toBe(0);
  });

  it("stays below the thresholds by a margin only: with them lowered to the routine's bursts, the rules fire", async () => {
    // Act: the same week, with each threshold set to what the routine reaches.
    const settings = {
      "secretsmanager.secrets-read-burst": { threshold: CONFIG_SECRETS.length },
      "ssm.secure-parameters-read-burst": { threshold: SETTINGS_PARAMETERS.length },
      "ssm.start-session-many-instances": { threshold: 2 },
      "ssm.send-command-many-instances": { threshold: 2 },
    };
    const lowered = await scanLogs(new LocalLogSource([join(dir, "AWSLogs")]), new RuleEngine(catalog, { only: Object.keys(settings), settings }), {
      thresholds: new ThresholdTracker(new MemoryThresholdStore()),
    });
    // Assess
    expect(new Set(lowered.alerts.map((a) => a.rule))).toEqual(new Set(Object.keys(settings)));
  });
});
