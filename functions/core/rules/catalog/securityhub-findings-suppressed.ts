import type { CloudTrailRecord } from "../../record/schema";
import type { Severity } from "../../alert/alert";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, paramString, shortName } from "../helpers";

interface Suppression {
  what: string;
  severity: Severity;
}

function upper(v: unknown): string {
  return typeof v === "string" ? v.toUpperCase() : "";
}

/** True when an automation rule's actions set the workflow status of matching findings to SUPPRESSED. */
function suppressingActions(actions: unknown): boolean {
  return asList(actions).some((a) => upper(dig(a, "FindingFieldsUpdate", "Workflow", "Status")) === "SUPPRESSED");
}

function suppression(r: CloudTrailRecord): Suppression | undefined {
  const p = r.requestParameters;
  switch (r.eventName) {
    case "BatchUpdateFindings": {
      if (upper(dig(p, "Workflow", "Status")) !== "SUPPRESSED") return undefined;
      const n = asList(dig(p, "FindingIdentifiers")).length;
      return { what: `suppressed ${n} Security Hub finding(s)`, severity: "low" };
    }
    case "UpdateFindings":
      // The legacy API applies to every finding its filter matches, an empty filter to all of them.
      return upper(dig(p, "RecordState")) === "ARCHIVED"
        ? { what: "archived Security Hub findings by filter (legacy UpdateFindings)", severity: "medium" }
        : { what: "updated Security Hub findings by filter (legacy UpdateFindings)", severity: "low" };
    case "CreateAutomationRule":
      return suppressingActions(dig(p, "Actions"))
        ? { what: `created Security Hub automation rule ${paramString(r, "RuleName") ?? ""} that suppresses matching findings`.replace("  ", " "), severity: "medium" }
        : undefined;
    case "BatchUpdateAutomationRules":
      return asList(dig(p, "UpdateAutomationRulesRequestItems")).some((i) => suppressingActions(dig(i, "Actions")))
        ? { what: "changed Security Hub automation rules to suppress matching findings", severity: "medium" }
        : undefined;
    case "DeleteInsight":
      return { what: `deleted Security Hub insight ${shortName(paramString(r, "InsightArn")) ?? ""}`.trimEnd(), severity: "low" };
    case "UpdateInsight":
      return { what: `changed Security Hub insight ${shortName(paramString(r, "InsightArn")) ?? paramString(r, "Name") ?? ""}`.trimEnd(), severity: "low" };
    default:
      return undefined;
  }
}

/**
 * Security Hub findings hidden: suppressed or archived, an automation rule that suppresses findings
 * as they arrive (the persistent form), or an insight (a saved view on a dashboard) deleted or
 * changed. Analysts suppress false positives every day, so single suppressions are low; rules and
 * filter-wide archiving are medium.
 */
export default defineRule<undefined, Suppression>({
  id: "securityhub.findings-suppressed",
  title: "Security Hub findings suppressed or hidden",
  severity: "low",
  description:
    "Security Hub findings were suppressed or archived, an automation rule now suppresses matching findings, or an insight was deleted or changed. Suppressed findings no longer show as active nor notify: attackers hide the findings they caused this way.",
  eventSources: ["securityhub.amazonaws.com"],
  eventNames: ["BatchUpdateFindings", "UpdateFindings", "CreateAutomationRule", "BatchUpdateAutomationRules", "DeleteInsight", "UpdateInsight"],
  match: (r) => suppression(r),
  severityFor: (_r, _ctx, s) => s.severity,
  summary: (r, { principal }, s) => `${actor(principal)} ${s.what} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r, _ctx, s) => ({
    action: r.eventName,
    change: s.what,
    findings: asList(dig(r.requestParameters, "FindingIdentifiers")).slice(0, 20),
    filters: dig(r.requestParameters, "Filters"),
    note: dig(r.requestParameters, "Note", "Text"),
  }),
  status: "stable",
  falsePositives: [
    "Analysts suppressing findings they triaged as accepted risk or false positive.",
    "Automation rules written by the security team for known-benign findings.",
  ],
  runbook: {
    triage: [
      "Read which findings were suppressed (context.findings) or which criteria the rule or filter uses, and the note left with them.",
      "Check that the principal belongs to the security team and the suppression follows your triage process.",
      "Look for activity of the same principal that those findings were about.",
    ],
    contain: [
      "Set the findings back to NEW or NOTIFIED, delete or disable the automation rule, restore the insight.",
      "If the principal is compromised, review every finding it suppressed or archived.",
    ],
  },
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.SecurityHub.Finding.Evasion"],
    sigma: ["AWS SecurityHub Findings Evasion"],
    urls: ["https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html"],
  },
});
