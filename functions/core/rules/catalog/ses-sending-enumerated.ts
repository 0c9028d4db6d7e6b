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
    "Someone asked Amazon SES how much mail the account may send, whether sending is enabled or which sender identities are verified. Attackers with stolen keys check exactly this before abusing SES for spam or phishing; the SES console does it too.",
  eventSources: ["ses.amazonaws.com"],
  eventNames: Object.keys(WHAT),
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} checked ${WHAT[r.eventName] ?? r.eventName} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${r.awsRegion ?? ""}|${r.eventTime.slice(0, 10)}`,
  context: (r) => ({ call: r.eventName, region: r.awsRegion, userAgent: r.userAgent ?? undefined }),
  falsePositives: [
    "People opening the SES console (account dashboard, verified identities page).",
    "Monitoring integrations that poll the send quota (Datadog, CloudWatch agents using the SES API).",
  ],
  runbook: {
    triage: [
      "Is the caller someone who works with SES? Check the principal, the source IP and the user agent (CLI, SDK, scripts like pacu or enumerate-iam).",
      "Look for the next steps of SES abuse by the same principal: VerifyEmailIdentity, UpdateAccountSendingEnabled, CreateEmailIdentity, SendEmail/SendRawEmail volume, a production-access request.",
      "If the caller is an IAM user key, check where else the key was used in the last days (new regions, new source IPs).",
    ],
    contain: [
      "If the key is not expected to use SES, deactivate it (iam update-access-key --status Inactive) and rotate it.",
      "Pause sending while you investigate: ses put-account-sending-attributes --no-sending-enabled (SES v2) in the affected regions.",
      "Remove sender identities that were added without a change request.",
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
