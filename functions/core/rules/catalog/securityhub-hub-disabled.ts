import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, stringList } from "../helpers";

function impact(r: CloudTrailRecord): { severity: Severity; what: string } {
  switch (r.eventName) {
    case "DisableSecurityHub":
      return { severity: "high", what: "disabled Security Hub" };
    case "DisassociateFromAdministratorAccount":
    case "DisassociateFromMasterAccount":
      return { severity: "high", what: "disconnected this account from its Security Hub administrator" };
    case "BatchDisableStandards":
      return {
        severity: "medium",
        what: `disabled Security Hub standards ${asList(dig(r.requestParameters, "standardsSubscriptionArns")).map(String).join(", ") || "(not logged)"}`,
      };
    default:
      return { severity: "medium", what: `removed member accounts ${stringList(dig(r.requestParameters, "accountIds")).join(", ")} from Security Hub` };
  }
}

/** Security Hub disabled, detached from its administrator, standards turned off, or members removed. */
export default defineRule({
  id: "securityhub.hub-disabled",
  title: "Security Hub disabled or disconnected",
  severity: "high",
  description:
    "Security Hub was disabled, the account detached from the Security Hub administrator, compliance standards disabled, or member accounts removed. Findings and compliance checks stop reaching the security team.",
  eventSources: ["securityhub.amazonaws.com"],
  eventNames: ["DisableSecurityHub", "DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount", "BatchDisableStandards", "DisassociateMembers", "DeleteMembers"],
  match: () => true,
  severityFor: (r) => impact(r).severity,
  summary: (r, { principal }) => `${actor(principal)} ${impact(r).what} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({ action: r.eventName, impact: impact(r).what }),
  status: "stable",
  falsePositives: [
    "Moving Security Hub administration to a new delegated administrator (members are disassociated and re-invited).",
  ],
  runbook: {
    triage: [
      "Is Security Hub enabled now, with its standards? Is the account still a member of the administrator account?",
    ],
    contain: [
      "Re-enable Security Hub and its standards, re-associate the account, and deny these calls outside the security team.",
    ],
  },
  references: { mitre: ["T1562.001"], urls: ["https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-disable.html"] },
});
