import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

function region(r: CloudTrailRecord): string {
  return paramString(r, "regionName") ?? paramString(r, "RegionName") ?? "(region not logged)";
}

/** The account the call changed: a member account named by the management account, else the caller's. */
function targetAccount(r: CloudTrailRecord): string {
  return paramString(r, "accountId") ?? paramString(r, "AccountId") ?? accountOfRecord(r);
}

/**
 * An opt-in region enabled (or disabled). Regions launched since 2019 are off until someone enables
 * them, and detection (GuardDuty, Config, alarms) usually is not deployed there: an attacker enables
 * one to run resources where nobody looks.
 */
export default defineRule({
  id: "account.region-enabled",
  title: "Opt-in region enabled",
  severity: "medium",
  description:
    "An opt-in region was enabled for an account. Detection is rarely deployed in unused regions, which makes a newly enabled one a place to hide miners or infrastructure. Disabling is low.",
  eventSources: ["account.amazonaws.com"],
  eventNames: ["EnableRegion", "DisableRegion"],
  match: () => true,
  severityFor: (r) => (r.eventName === "EnableRegion" ? "medium" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.eventName === "EnableRegion" ? "enabled" : "disabled"} region ${region(r)} for account ${targetAccount(r)}`,
  context: (r) => ({ region: region(r), targetAccount: targetAccount(r), action: r.eventName }),
  status: "stable",
  falsePositives: ["The platform team opening a region for a planned expansion (deploy your security baseline there at the same time)."],
  runbook: {
    triage: [
      "Ask the platform team whether the region was planned; check your region-restriction SCP allows it.",
      "List what was created in that region since (RunInstances, CreateFunction, CreateStack) by any principal.",
    ],
    contain: [
      "Disable the region again, or deny it with an SCP on aws:RequestedRegion.",
      "If it stays: deploy GuardDuty, Config and the trailwatch trail guard there before anything else.",
    ],
  },
  references: {
    mitre: ["T1535"],
    panther: ["AWS.CloudTrail.EnableRegion"],
    sigma: ["AWS EnableRegion Command Monitoring"],
    urls: ["https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html"],
  },
});
