import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool, asList, dig, paramString, stringList } from "../helpers";

/** Protection plans (features / data sources) the call turns off. */
function disabledFeatures(r: CloudTrailRecord): string[] {
  const out = asList(dig(r.requestParameters, "features"))
    .filter((f) => String(dig(f, "status") ?? "").toUpperCase() === "DISABLED")
    .map((f) => String(dig(f, "name")));
  const ds = dig(r.requestParameters, "dataSources");
  if (ds && typeof ds === "object") {
    for (const [name, v] of Object.entries(ds as Record<string, unknown>)) {
      if (asBool(dig(v, "enable")) === false) out.push(name);
      for (const [sub, sv] of Object.entries((v ?? {}) as Record<string, unknown>)) if (asBool(dig(sv, "enable")) === false) out.push(`${name}.${sub}`);
    }
  }
  return out;
}

/** What the call does to GuardDuty, with severity; undefined when it does not weaken it. */
export function guardDutyImpact(r: CloudTrailRecord): { severity: Severity; what: string } | undefined {
  switch (r.eventName) {
    case "DeleteDetector":
      return { severity: "high", what: "deleted the GuardDuty detector (no more findings in this region; existing findings are gone)" };
    case "UpdateDetector": {
      if (asBool(dig(r.requestParameters, "enable")) === false) return { severity: "high", what: "suspended the GuardDuty detector (enable=false)" };
      const off = disabledFeatures(r);
      return off.length ? { severity: "low", what: `turned off GuardDuty protection ${off.join(", ")}` } : undefined;
    }
    case "DisassociateFromMasterAccount":
    case "DisassociateFromAdministratorAccount":
      return { severity: "high", what: "disconnected this account from its GuardDuty administrator (findings no longer reach the security team)" };
    case "DisassociateMembers":
    case "DeleteMembers":
      return { severity: "medium", what: `removed member accounts ${stringList(dig(r.requestParameters, "accountIds")).join(", ")} from GuardDuty administration` };
    case "StopMonitoringMembers":
      return { severity: "medium", what: `stopped GuardDuty monitoring of member accounts ${stringList(dig(r.requestParameters, "accountIds")).join(", ")}` };
    case "DeletePublishingDestination":
      return { severity: "medium", what: "deleted a GuardDuty findings export destination" };
    default:
      return undefined;
  }
}

/**
 * GuardDuty switched off or cut off from the people who read it: detector deleted or suspended, the
 * account disassociated from its administrator, members removed or no longer monitored, a findings
 * export deleted, or a protection plan turned off (low).
 */
export default defineRule({
  id: "guardduty.detector-disabled",
  title: "GuardDuty disabled or disconnected",
  severity: "high",
  description:
    "GuardDuty threat detection was disabled or disconnected: the detector deleted or suspended, the account detached from the GuardDuty administrator account, members removed, or findings export deleted. Attackers do this before acting so that no finding is raised. Re-enable it and look at what happened while it was off.",
  eventSources: ["guardduty.amazonaws.com"],
  eventNames: ["DeleteDetector", "UpdateDetector", "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "DisassociateMembers", "DeleteMembers", "StopMonitoringMembers", "DeletePublishingDestination"],
  match: (r) => guardDutyImpact(r) !== undefined,
  severityFor: (r) => guardDutyImpact(r)!.severity,
  summary: (r, { principal }) => `${actor(principal)} ${guardDutyImpact(r)!.what} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({ detectorId: paramString(r, "detectorId"), action: r.eventName, impact: guardDutyImpact(r)!.what }),
  status: "stable",
  falsePositives: [
    "Moving GuardDuty administration to a new delegated administrator account (members are disassociated and re-invited).",
    "Turning off a protection plan that is not licensed or not used (e.g. EKS protection in accounts without EKS).",
  ],
  runbook: {
    triage: [
      "Is the detector enabled now, and is the account still a member of the administrator account? `aws guardduty get-detector`, `get-administrator-account`.",
      "Who did it, and what did the same principal do while findings were off?",
    ],
    contain: [
      "Re-enable the detector and protections, re-associate the account, and review the time without coverage with CloudTrail.",
      "Deny GuardDuty changes outside the security team with a service control policy.",
    ],
  },
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS GuardDuty Detector Deleted Or Updated"],
    urls: ["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_suspend-disable.html"],
  },
});
