import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramBool, paramString } from "../helpers";

function sendingEnabled(r: CloudTrailRecord): boolean {
  return (r.eventName === "UpdateAccountSendingEnabled" && paramBool(r, "enabled") === true) ||
    (r.eventName === "PutAccountSendingAttributes" && paramBool(r, "sendingEnabled") === true);
}

function identity(r: CloudTrailRecord): string {
  return paramString(r, "identity") ?? paramString(r, "emailIdentity") ?? "(unnamed)";
}

/**
 * Amazon SES: account-wide sending switched back on, or a verified sender identity deleted. Stolen
 * keys are sold for SES spam and phishing: sending gets re-enabled after AWS or the owner paused it,
 * and the sender identities used are deleted afterwards to cover tracks.
 */
export default defineRule({
  id: "ses.sending-settings-changed",
  title: "SES sending enabled or sender identity deleted",
  severity: "low",
  description:
    "SES sending was enabled for the account, or a verified sender identity deleted: steps of SES abuse with stolen keys (spam or phishing from your domain, then removing the identity used).",
  eventSources: ["ses.amazonaws.com"],
  eventNames: ["UpdateAccountSendingEnabled", "PutAccountSendingAttributes", "DeleteIdentity", "DeleteEmailIdentity"],
  match: (r) => r.eventName.startsWith("Delete") || sendingEnabled(r),
  summary: (r, { principal }) =>
    sendingEnabled(r)
      ? `${actor(principal)} enabled SES email sending for account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`
      : `${actor(principal)} deleted SES sender identity ${identity(r)} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({ action: r.eventName, identity: sendingEnabled(r) ? undefined : identity(r), sendingEnabled: sendingEnabled(r) || undefined }),
  status: "experimental",
  falsePositives: ["The team owning transactional email resuming sending after an incident, or removing an unused sender domain."],
  runbook: {
    triage: [
      "Ask the owners of the account's email sending whether the change was planned.",
      "For sending enabled: why was it paused (AWS review, bounce or complaint rate)? Check SendEmail / SendRawEmail volume since.",
      "For a deleted identity: was it verified recently (VerifyEmailIdentity, CreateEmailIdentity) by the same principal?",
    ],
    contain: [
      "Pause sending again (UpdateAccountSendingEnabled false) while you investigate; deactivate the keys used.",
      "Tell the owners of the affected domain; check SPF/DKIM/DMARC reports for mail sent in its name.",
    ],
  },
  references: {
    mitre: ["T1496", "T1496.004"],
    sigma: ["SES Identity Has Been Deleted", "Potential AWS Cloud Email Service Abuse"],
    urls: ["https://docs.aws.amazon.com/ses/latest/APIReference/API_DeleteIdentity.html"],
  },
});
