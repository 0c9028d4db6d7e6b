import type { CloudTrailRecord } from "../../record/schema";
import type { Severity } from "../../alert/alert";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString } from "../helpers";

const CHANGE: Record<string, { what: string; severity: Severity }> = {
  PutAlternateContact: { what: "changed an alternate contact (billing, operations or security) of", severity: "medium" },
  DeleteAlternateContact: { what: "deleted an alternate contact of", severity: "medium" },
  PutContactInformation: { what: "changed the primary contact information of", severity: "medium" },
  StartPrimaryEmailUpdate: { what: "started changing the root email address of", severity: "high" },
  AcceptPrimaryEmailUpdate: { what: "changed the root email address of", severity: "high" },
};
const READ: Record<string, string> = {
  GetAlternateContact: "read an alternate contact of",
  GetContactInformation: "read the contact information of",
  DescribeAccount: "read the details (name, root email) of",
};

function account(r: CloudTrailRecord): string {
  return paramString(r, "accountId") ?? paramString(r, "AccountId") ?? accountOfRecord(r);
}

/**
 * Account contact details read or changed. Reads are reconnaissance before phishing the root email
 * or taking over the account (info); changing the security contact or the root email address
 * redirects AWS's abuse and security notices, and the root password reset, to someone else.
 */
export default defineRule({
  id: "account.contact-details-accessed",
  title: "Account contact details read or changed",
  severity: "info",
  description:
    "An account's contact details were read (alternate and primary contacts, the root email via organizations:DescribeAccount) or changed. A changed security contact diverts AWS's abuse notices; a changed root email hands over the root password reset.",
  eventSources: ["account.amazonaws.com", "billingconsole.amazonaws.com", "organizations.amazonaws.com"],
  eventNames: [...Object.keys(CHANGE), ...Object.keys(READ)],
  match: (r) => (r.eventName === "DescribeAccount" ? r.eventSource === "organizations.amazonaws.com" : r.eventSource !== "organizations.amazonaws.com"),
  severityFor: (r) => CHANGE[r.eventName]?.severity ?? "info",
  summary: (r, { principal }) => {
    const type = paramString(r, "alternateContactType") ?? paramString(r, "AlternateContactType");
    return `${actor(principal)} ${CHANGE[r.eventName]?.what ?? READ[r.eventName]} account ${account(r)}${type ? ` (${type.toLowerCase()} contact)` : ""}`;
  },
  context: (r) => ({ action: r.eventName, targetAccount: account(r), changed: r.eventName in CHANGE }),
  // Reads collapse per principal and hour (a console page reads several); every change is its own alert.
  dedupKey: (r, { principal }) => (r.eventName in CHANGE ? r.eventID ?? `${r.eventTime}|${r.eventName}` : `${principal.id}|${hourOf(r)}`),
  status: "experimental",
  falsePositives: [
    "Administrators reviewing or updating contacts; account vending pipelines setting the security contact of new accounts.",
    "Tools that list organization accounts with DescribeAccount.",
  ],
  runbook: {
    triage: [
      "For a change: what is the new contact or email (GetAlternateContact, GetContactInformation) and does it belong to your organization?",
      "For reads: is the principal an administrator or a tool you know; what else did it read in the same hour?",
    ],
    contain: [
      "Restore the security contact and primary contact; for a root email change, secure the root user now (password reset to your address, MFA) and contact AWS Support.",
      "Restrict account:Put*, account:*PrimaryEmail* with an SCP to the account administrators.",
    ],
  },
  references: {
    mitre: ["T1087.004", "T1098"],
    panther: ["AWS.CloudTrail.Account.Discovery"],
    urls: ["https://docs.aws.amazon.com/accounts/latest/reference/API_PutAlternateContact.html"],
  },
});
