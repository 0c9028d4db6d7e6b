import { alertSubject, alertText, toSnsSubject } from "../../../functions/core/alert/format-text";
import type { Alert } from "../../../functions/core/alert/alert";

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
});
