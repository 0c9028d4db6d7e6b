import { alertSubject, alertText, toSnsSubject } from "../../../functions/core/alert/format-text";
import type { Alert } from "../../../functions/core/alert/alert";
import { parseAlert } from "../../../functions/core/alert/schema";

const a: Alert = {
  id: "abc", rule: "cloudtrail.logging-stopped", title: "CloudTrail logging stopped", severity: "critical", account: "111122223333",
  region: "eu-west-1", principal: "arn:aws:iam::111122223333:role/ops", principalType: "AssumedRole", eventSource: "cloudtrail.amazonaws.com",
  eventName: "StopLogging", eventTime: "2026-11-20T10:00:00Z", eventId: "e1", summary: "ops (session eve) stopped logging on trail org-trail",
  context: { trail: "org-trail", nested: { list: [1, 2] } },
  remediation: { action: "cloudtrail:StartLogging org-trail", mode: "apply", status: "succeeded", detail: "logging is on again" },
  references: { mitre: ["T1562.008"] },
};

describe("alert text for people", () => {
  it("puts severity, rule and account in the subject and keeps it within SNS limits", () => {
    expect(alertSubject(a)).toBe("[trailwatch CRITICAL] cloudtrail.logging-stopped in 111122223333 (eu-west-1)");
    expect(toSnsSubject("é".repeat(120))).toHaveLength(100);
  });

  it("says what happened, who, when, where, the details and what was remediated", () => {
    const text = alertText(a);
    expect(text.split("\n")[0]).toBe(a.summary);
    expect(text).toContain("Who:        arn:aws:iam::111122223333:role/ops [AssumedRole]");
    expect(text).toContain("Where:      account 111122223333, region eu-west-1");
    expect(text).toContain("  trail: org-trail");
    expect(text).toContain("  nested:\n    list: 1, 2");
    expect(text).toContain("cloudtrail:StartLogging org-trail (apply): succeeded. logging is on again");
    expect(text).toContain("MITRE ATT&CK T1562.008");
  });
});

describe("remediation checks in the alert", () => {
  it("says how the event was verified, what was found and what was done", () => {
    const verified: Alert = { ...a, remediation: { ...a.remediation!, checks: { verifiedBy: "lookup-events", found: "trail org-trail is not logging", done: "started logging" } } };

    const text = alertText(verified);

    expect(text).toContain("  Verified:   matches CloudTrail's event history (LookupEvents)\n  Found:      trail org-trail is not logging\n  Done:       started logging");
  });

  it("says an unverified event was refused and nothing was done", () => {
    const refused: Alert = { ...a, remediation: { action: "cloudtrail.start-logging", mode: "apply", status: "skipped", detail: "not remediated: unverified: not in the event history", checks: { refused: "unverified" } } };

    const text = alertText(refused);

    expect(text).toContain("cloudtrail.start-logging (apply): skipped. not remediated: unverified: not in the event history\n  Verified:   no\n  Refused:    unverified");
    expect(text).not.toContain("Done:");
  });

  it("travels in the alert schema, which checks the refusal reason", () => {
    const ok = parseAlert({ ...a, remediation: { ...a.remediation!, checks: { verifiedBy: "eventbridge", found: "x" } } });
    const bad = parseAlert({ ...a, remediation: { ...a.remediation!, checks: { refused: "because" } } });

    expect(ok.ok).toBe(true);
    expect(bad).toMatchObject({ ok: false, reason: expect.stringMatching(/^remediation\.checks\.refused: /) });
  });
});
