import { defineRule } from "../rule";
import { accountOfRecord, actor } from "../helpers";

/**
 * LeaveOrganization, failed or not. An account that leaves its organization drops every SCP,
 * organization trail and delegated security service at once; even a denied attempt means someone
 * with access to the account tried (Stratus "organizations-leave" is exactly that attempt).
 */
export default defineRule({
  id: "organizations.leave-attempt",
  title: "Account tried to leave the organization",
  severity: "high",
  description:
    "A member account called LeaveOrganization. If it succeeded, the account is no longer governed by SCPs, organization trails or delegated GuardDuty/Security Hub; if it failed, someone with access to the account tried. Both need a look now.",
  eventSources: ["organizations.amazonaws.com"],
  eventNames: ["LeaveOrganization"],
  includeFailedCalls: true,
  match: () => true,
  severityFor: (r) => (r.errorCode ? "high" : "critical"),
  summary: (r, { principal }) =>
    r.errorCode
      ? `${actor(principal)} tried to take account ${accountOfRecord(r)} out of the organization and was refused (${r.errorCode})`
      : `${actor(principal)} took account ${accountOfRecord(r)} out of the organization`,
  context: (r) => ({ succeeded: !r.errorCode }),
  status: "stable",
  falsePositives: [
    "Planned account migrations between organizations (rare; announced).",
  ],
  runbook: {
    triage: [
      "Did it succeed? If so, the account left SCPs and the organization trail: find its new state from the management account.",
      "Who made the call, from which address and session, and what else did they do?",
    ],
    contain: [
      "If it succeeded unexpectedly: contact AWS Support and regain access through the account's root; if denied, revoke the principal's session.",
    ],
  },
  references: {
    mitre: ["T1666", "T1562"],
    stratus: ["aws.defense-evasion.organizations-leave"],
    panther: ["AWS.CloudTrail.AttemptToLeaveOrg"],
    urls: ["https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_remove.html"],
  },
});
