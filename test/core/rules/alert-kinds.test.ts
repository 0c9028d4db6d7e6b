import { ANOMALY_RULE_ID } from "../../../functions/core/anomaly/alert";
import { ALERT_KINDS, kindGuidance } from "../../../functions/core/rules/alert-kinds";
import { ATTACK_TECHNIQUES } from "../../../functions/core/rules/attack";
import { catalog } from "../../../functions/core/rules/catalog";
import { RUN_FAILED_RULE, RUN_SUMMARY_RULE, UNUSUAL_ACTIVITY_RULE, runFailedAlert } from "../../../functions/core/scoring/alerts";
import { HEARTBEAT_RULES, heartbeatAlert } from "../../../functions/app/trail-heartbeat/checks";
import { TRAIL_TAMPERING_RULE_ID, trailTamperingRule } from "../../../functions/core/rules/catalog/guard-only/cloudtrail-trail-tampering";

describe("alerts raised outside the rule catalog", () => {
  it("are described with exactly the ids their builders use, and none collides with a catalog rule", () => {
    const builderIds = [ANOMALY_RULE_ID, UNUSUAL_ACTIVITY_RULE, RUN_SUMMARY_RULE, RUN_FAILED_RULE, ...Object.values(HEARTBEAT_RULES).map((r) => r.id), TRAIL_TAMPERING_RULE_ID];
    expect(ALERT_KINDS.map((k) => k.id).sort()).toEqual([...builderIds].sort());
    const catalogIds = new Set(catalog.map((r) => r.id));
    expect(ALERT_KINDS.map((k) => k.id).filter((id) => catalogIds.has(id))).toEqual([]);
    for (const k of ALERT_KINDS) {
      expect((k.references.mitre ?? []).filter((m) => !ATTACK_TECHNIQUES[m])).toEqual([]);
      expect(k.runbook.triage.length).toBeGreaterThan(0);
      expect(k.runbook.contain.length).toBeGreaterThan(0);
      expect(k.falsePositives.length).toBeGreaterThan(0);
    }
  });

  it("carry their ATT&CK ids and the runbook's first steps on the alerts their builders make", () => {
    // Act
    const hb = heartbeatAlert({ arn: "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org", account: "111122223333", region: "eu-west-1" },
      { rule: HEARTBEAT_RULES.notLogging.id, title: HEARTBEAT_RULES.notLogging.title, severity: "critical", summary: "Trail org is not logging", context: {} }, new Date("2026-11-20T10:00:00Z"), "hour");
    const failed = runFailedAlert({ executionId: "exec-1", input: { aws_account: "111122223333", aws_region: "eu-west-1" }, error: "States.TaskFailed", cause: "boom", at: new Date("2026-11-20T10:00:00Z") });
    // Assess
    expect(hb.runbook?.triage[0]).toMatch(/get-trail-status/);
    expect(hb.references?.mitre).toEqual(["T1562.008"]);
    expect(failed.runbook?.contain[0]).toMatch(/start the execution again/);
    expect(kindGuidance(ANOMALY_RULE_ID).references?.mitre).toEqual(["T1078.004"]);
    expect(trailTamperingRule.runbook).toBe(ALERT_KINDS.find((k) => k.id === TRAIL_TAMPERING_RULE_ID)!.runbook);
  });
});
