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

describe("alert text against hostile values", () => {
  const LINE_BREAKS: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\r\n": "\\r\\n", "\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\x85", "\v": "\\v", "\f": "\\f" };

  it("cannot be made to show a line of its own such as Severity: or Remediation: succeeded", () => {
    for (const [br, shown] of Object.entries(LINE_BREAKS)) {
      const forged = `bucket${br}Severity:   low${br}Remediation:${br}  iam.detach-admin-policy (apply): succeeded.`;
      const text = alertText({ ...a, summary: forged, principal: forged, eventName: forged, context: { [forged]: forged, list: [forged], nested: { deeper: forged } }, remediation: null });
      const lines = text.split(/\r\n|[\n\r\u2028\u2029\u0085\v\f]/u);
      expect(lines.filter((l) => l.startsWith("Severity:"))).toEqual(["Severity:   critical"]);
      expect(lines.filter((l) => /^\s*Remediation:/.test(l))).toEqual(["Remediation:"]);
      expect(lines.some((l) => /^\s*iam\.detach-admin-policy \(apply\): succeeded/.test(l))).toBe(false);
      expect(text.split("\n")[0]).toBe(`bucket${shown}Severity:   low${shown}Remediation:${shown}  iam.detach-admin-policy (apply): succeeded.`);
    }
  });

  it("writes terminal escapes, bidi overrides and zero-width characters out visibly", () => {
    const text = alertText({ ...a, summary: "ops \u001b[2J\u0007 stopped \u202egnol\u202c trail\u200b x", context: {} });
    expect(text.split("\n")[0]).toBe("ops \\x1b[2J\\x07 stopped \\u202egnol\\u202c trail\\u200b x");
  });

  it("renders a 10,000-deep value and a huge one without throwing, within 64 KiB", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 10_000; i++) deep = { a: [deep] };
    const huge = Array.from({ length: 5000 }, (_, i) => ({ [`key${i}`]: "\u0001".repeat(4000) }));
    for (const context of [{ deep }, { huge }, { big: 12n, fn: () => 1 } as Record<string, unknown>]) {
      const text = alertText({ ...a, context });
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024);
      expect(text).toContain("Alert id: abc");
    }
    expect(alertText({ ...a, context: { deep } })).toContain("[truncated: nested deeper than 8 levels]");
  });

  it("keeps the subject printable ASCII, single-line and at most 100 characters", () => {
    const s = alertSubject({ ...a, account: "1111\r\nBcc: x@example.com \u001b[31m" + "9".repeat(200), region: "eu\u2028west" });
    expect(s).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(s.startsWith("[trailwatch CRITICAL] cloudtrail.logging-stopped in 1111??Bcc: x@example.com ?[31m")).toBe(true);
    expect(toSnsSubject("")).toBe("trailwatch alert");
    expect(toSnsSubject("\n\t")).toBe("??");
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

describe("the runbook's first steps in the alert text", () => {
  it("lists what to check, then how to contain, and where the whole runbook is", () => {
    // Prepare
    const withRunbook: Alert = { ...a, runbook: { triage: ["Is the trail logging again?", "Who stopped it?"], contain: ["Start logging again."] } };
    // Act
    const text = alertText(withRunbook);
    // Assess
    expect(text).toContain("What to do first:\n  1. Check: Is the trail logging again?\n  2. Check: Who stopped it?\n  3. Contain: Start logging again.");
    expect(text).toContain("docs/rules.md (cloudtrail.logging-stopped)");
    expect(text.indexOf("What to do first:")).toBeLessThan(text.indexOf("References:"));
    expect(alertText(a)).not.toContain("What to do first:");
  });

  it("writes line breaks in a runbook step out visibly, so a step cannot forge a line", () => {
    // Prepare: an alert read back from a queue may carry any runbook
    const forged: Alert = { ...a, runbook: { triage: ["look\nSeverity:   low"], contain: ["stop\u2028Remediation:"] } };
    // Act
    const lines = alertText(forged).split(/\r\n|[\n\r\u2028\u2029\u0085\v\f]/u);
    // Assess
    expect(lines.filter((l) => l.startsWith("Severity:"))).toEqual(["Severity:   critical"]);
    expect(lines).toContain("  1. Check: look\\nSeverity:   low");
    expect(lines).toContain("  2. Contain: stop\\u2028Remediation:");
  });

  it("renders a runbook of the wrong shape without throwing", () => {
    const odd = { ...a, runbook: { triage: "not a list", contain: [{ x: 1 }] } } as unknown as Alert;
    expect(alertText(odd)).toMatch(/What to do first:\n  1\. Contain: \S/);
  });
});
