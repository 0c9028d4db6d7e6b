import { toHecEvent } from "../../../functions/adapters/aws/hec/event";
import type { Alert } from "../../../functions/core/alert/alert";
import { parseAlert } from "../../../functions/core/alert/schema";

const alert: Alert = {
  id: "a1", rule: "secretsmanager.secrets-read-burst", title: "Many secrets read in minutes", severity: "high", account: "111122223333", region: "eu-west-1",
  principal: "arn:aws:iam::111122223333:user/mallory", eventSource: "secretsmanager.amazonaws.com", eventName: "GetSecretValue", eventTime: "2026-10-14T10:00:00Z",
  eventId: "e1", summary: "mallory read 12 different secrets in 3 min", context: { count: 12 }, remediation: null,
  references: { mitre: ["T1555.006", "T1552"] },
  runbook: { triage: ["Who is the principal?", "Which calls succeeded?"], contain: ["Revoke the session, rotate the secrets read."] },
};

describe("the Splunk HEC event of an alert", () => {
  it("carries the ATT&CK ids as an indexed field and the runbook's first steps in the event", () => {
    // Act: through the alert schema, as the forwarder reads alerts from SQS.
    const parsed = parseAlert(JSON.parse(JSON.stringify(alert)));
    const ev = toHecEvent(parsed.ok ? parsed.alert : alert, { source: "trailwatch", sourcetype: "trailwatch:alert" });
    // Assess
    expect(parsed.ok).toBe(true);
    expect(ev.fields).toEqual({ alert_id: "a1", rule: alert.rule, severity: "high", account: "111122223333", mitre: ["T1555.006", "T1552"] });
    expect(ev.event.runbook).toEqual(alert.runbook);
    expect(toHecEvent({ ...alert, references: undefined }, { source: "s", sourcetype: "t" }).fields).not.toHaveProperty("mitre");
  });

  it("rejects an alert whose runbook is not lists of strings, naming the field", () => {
    const bad = parseAlert({ ...alert, runbook: { triage: "check", contain: [] } });
    expect(bad).toEqual({ ok: false, reason: expect.stringMatching(/^runbook\.triage: /) });
  });
});
