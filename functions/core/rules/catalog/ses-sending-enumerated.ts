import { defineRule } from "../rule";
import { accountOfRecord, actor } from "../helpers";
import { calledByAwsService } from "../caller";

const WHAT: Record<string, string> = {
  GetSendQuota: "its SES sending quota",
  GetAccountSendingEnabled: "whether SES sending is enabled",
  ListIdentities: "its verified SES sender identities",
  GetIdentityVerificationAttributes: "the verification status of SES sender identities",
};

/**
 * Reconnaissance of Amazon SES sending: quota, whether sending is enabled, which sender identities are
 * verified. These are the first calls made with a leaked access key before it is used to send spam or
 * phishing from the victim's domains (Stratus "ses-enumerate"). People looking at the SES console make
 * the same calls, so the rule is low and one alert per caller, account and day; AWS services (Trusted
 * Advisor checks the quota) are left out.
 */
export default defineRule({
  id: "ses.sending-enumerated",
  title: "SES sending capability enumerated",
  severity: "low",
  status: "experimental",
  description:
    "SES quota, sending status or verified identities were checked: the first calls made with a leaked key before it sends spam or phishing. The SES console makes them too.",
  eventSources: ["ses.amazonaws.com"],
  eventNames: Object.keys(WHAT),
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} checked ${WHAT[r.eventName] ?? r.eventName} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${r.awsRegion ?? ""}|${r.eventTime.slice(0, 10)}`,
  context: (r) => ({ call: r.eventName, region: r.awsRegion, userAgent: r.userAgent ?? undefined }),
  falsePositives: [
    "People opening the SES console; monitoring that polls the send quota.",
  ],
  runbook: {
    triage: [
      "Does the caller work with SES (principal, source IP, user agent)?",
      "Did it go on to VerifyEmailIdentity, UpdateAccountSendingEnabled or SendEmail?",
    ],
    contain: [
      "Deactivate an unexpected key; pause sending (sesv2 put-account-sending-attributes --no-sending-enabled); remove unapproved identities.",
    ],
  },
  references: {
    mitre: ["T1526"],
    stratus: ["aws.discovery.ses-enumerate"],
    panther: ["AWS.CloudTrail.SES.CheckSendQuota", "AWS.CloudTrail.SES.CheckSESSendingEnabled", "AWS.CloudTrail.SES.ListIdentities", "AWS.CloudTrail.SES.CheckIdentityVerifications"],
    sigma: ["Potential AWS Cloud Email Service Abuse"],
    urls: ["https://docs.aws.amazon.com/ses/latest/dg/logging-using-cloudtrail.html"],
  },
});
