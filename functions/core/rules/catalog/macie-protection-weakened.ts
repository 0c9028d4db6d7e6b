import type { CloudTrailRecord } from "../../record/schema";
import type { Severity } from "../../alert/alert";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString } from "../helpers";

interface Weakening {
  what: string;
  severity: Severity;
}

function upper(v: unknown): string {
  return typeof v === "string" ? v.toUpperCase() : "";
}

/** What the call does to Macie, or undefined when it does not weaken it (a filter that only saves a view). */
function weakening(r: CloudTrailRecord): Weakening | undefined {
  switch (r.eventName) {
    case "DisableMacie":
      return { what: "disabled Amazon Macie", severity: "high" };
    case "DisableOrganizationAdminAccount":
      return { what: `removed Macie's delegated administrator ${paramString(r, "adminAccountId") ?? ""}`.trimEnd(), severity: "high" };
    case "UpdateMacieSession": {
      if (upper(dig(r.requestParameters, "status")) === "PAUSED") return { what: "paused Amazon Macie", severity: "high" };
      const freq = paramString(r, "findingPublishingFrequency");
      // Resuming (status ENABLED) or publishing at the fastest pace (the default) weakens nothing.
      if (!freq || freq.toUpperCase() === "FIFTEEN_MINUTES") return undefined;
      return { what: `changed how often Macie publishes findings (every ${freq.toLowerCase().replace("_", " ")})`, severity: "low" };
    }
    case "DisassociateFromAdministratorAccount":
    case "DisassociateFromMasterAccount":
      return { what: "detached the account from its Macie administrator", severity: "medium" };
    case "DisassociateMember":
    case "DeleteMember":
      return { what: `removed Macie member account ${paramString(r, "id") ?? ""}`.trimEnd(), severity: "medium" };
    case "CreateFindingsFilter":
    case "UpdateFindingsFilter":
      return upper(dig(r.requestParameters, "action")) === "ARCHIVE"
        ? { what: `${r.eventName === "CreateFindingsFilter" ? "created" : "updated"} Macie filter ${paramString(r, "name") ?? paramString(r, "id") ?? ""} that auto-archives findings`, severity: "medium" }
        : undefined;
    case "ArchiveFindings":
      return { what: "archived Macie findings", severity: "low" };
    case "UpdateClassificationJob":
      return upper(dig(r.requestParameters, "jobStatus")) === "CANCELLED"
        ? { what: `cancelled Macie classification job ${paramString(r, "jobId") ?? ""}`.trimEnd(), severity: "low" }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Amazon Macie switched off, paused, detached from its administrator, or told to archive findings.
 * Macie finds sensitive data in S3 and reports buckets made public; an attacker about to exfiltrate
 * turns it off first. A change of publishing frequency only delays findings and is low.
 */
export default defineRule<undefined, Weakening>({
  id: "macie.protection-weakened",
  title: "Amazon Macie disabled, paused or suppressed",
  severity: "medium",
  description:
    "Amazon Macie was disabled, paused, detached from its administrator, lost member accounts, got a filter that auto-archives findings, had findings archived or a job cancelled: findings about sensitive data and public buckets stop reaching the security team.",
  eventSources: ["macie2.amazonaws.com", "macie.amazonaws.com"],
  eventNames: [
    "DisableMacie", "DisableOrganizationAdminAccount", "UpdateMacieSession", "DisassociateFromAdministratorAccount",
    "DisassociateFromMasterAccount", "DisassociateMember", "DeleteMember", "CreateFindingsFilter", "UpdateFindingsFilter",
    "ArchiveFindings", "UpdateClassificationJob",
  ],
  match: (r) => weakening(r),
  severityFor: (_r, _ctx, w) => w.severity,
  summary: (r, { principal }, w) => `${actor(principal)} ${w.what} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r, _ctx, w) => ({ action: r.eventName, change: w.what, requestParameters: r.requestParameters }),
  status: "stable",
  falsePositives: [
    "Tuning by the security team: archive filters for known-benign findings, a slower publishing frequency to cut costs.",
    "Moving Macie administration to another account (the old administrator is removed).",
  ],
  runbook: {
    triage: [
      "Confirm with the Macie owners (security team) that the change was planned.",
      "For an archive filter: read its criteria (context.requestParameters.findingCriteria) — does it hide a bucket or a finding type wholesale?",
      "Check what the same principal did to S3 in the hours around the change (bucket policies, GetObject volume, replication).",
    ],
    contain: [
      "Re-enable or resume Macie, re-associate the account with its administrator, delete the archive filter.",
      "Unarchive findings archived by the change and review them.",
    ],
  },
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.Macie.Evasion"],
    sigma: ["AWS Macie Evasion"],
    urls: ["https://docs.aws.amazon.com/macie/latest/user/macie-suspend-disable.html"],
  },
});
