import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString } from "../helpers";

function isArchiveFilter(r: CloudTrailRecord): boolean {
  return String(dig(r.requestParameters, "action") ?? "").toUpperCase() === "ARCHIVE";
}

/**
 * GuardDuty told to ignore things: a trusted IP list created or changed (GuardDuty raises no finding
 * for traffic from those addresses) or a filter that auto-archives matching findings. Both are normal
 * tuning, and both are how an attacker hides their own addresses or activity.
 */
export default defineRule({
  id: "guardduty.findings-suppressed",
  title: "GuardDuty trusted IP list or auto-archive filter changed",
  severity: "medium",
  description:
    "A GuardDuty trusted IP list was created or updated, or a suppression filter that archives findings automatically was created or updated. Traffic from trusted IPs produces no findings, and archived findings are not seen. Check the addresses and the filter criteria.",
  eventSources: ["guardduty.amazonaws.com"],
  eventNames: ["CreateIPSet", "UpdateIPSet", "CreateFilter", "UpdateFilter"],
  match: (r) => (r.eventName.endsWith("IPSet") ? true : isArchiveFilter(r)),
  severityFor: (r) => (r.eventName.endsWith("IPSet") ? "high" : "medium"),
  summary: (r, { principal }) =>
    r.eventName.endsWith("IPSet")
      ? `${actor(principal)} ${r.eventName === "CreateIPSet" ? "created" : "updated"} GuardDuty trusted IP list ${paramString(r, "name") ?? paramString(r, "ipSetId") ?? ""} (${paramString(r, "location") ?? "location not logged"}) in account ${accountOfRecord(r)}`
      : `${actor(principal)} ${r.eventName === "CreateFilter" ? "created" : "updated"} GuardDuty filter ${paramString(r, "name") ?? paramString(r, "filterName") ?? ""} that auto-archives findings in account ${accountOfRecord(r)}`,
  context: (r) => ({
    detectorId: paramString(r, "detectorId"),
    name: paramString(r, "name") ?? paramString(r, "filterName") ?? paramString(r, "ipSetId"),
    location: paramString(r, "location"),
    findingCriteria: dig(r.requestParameters, "findingCriteria"),
  }),
  status: "stable",
  falsePositives: [
    "The security team tuning noisy findings with suppression rules (reviewed in change control).",
  ],
  runbook: {
    triage: [
      "Read the trusted IP list or the filter criteria (context): which addresses or finding types are hidden now?",
      "Who changed it, and are findings already being archived that should not be?",
    ],
    contain: [
      "Remove the trusted IP list or filter if unexpected, and look at archived findings since the change.",
    ],
  },
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.IPSet.Modified"],
    sigma: ["AWS GuardDuty Important Change"],
    urls: ["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_upload-lists.html"],
  },
});
