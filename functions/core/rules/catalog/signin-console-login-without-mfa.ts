import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, hourOf } from "../helpers";

function mfaUsed(r: CloudTrailRecord): string {
  return String(r.additionalEventData?.["MFAUsed"] ?? "").trim().toLowerCase();
}

/**
 * A successful console sign-in with a password and no MFA, by an IAM user or the root user.
 *
 * Federated sign-ins are left out on purpose: IAM Identity Center (AWSReservedSSO_* roles), SAML
 * (`SamlProviderArn`) and other role-based console sessions always log `MFAUsed: "No"` because the
 * second factor is checked by the identity provider, which CloudTrail cannot see. Alerting on them
 * would flag every SSO login; enforce MFA at the IdP instead. A brand-new user's first login is
 * reported too (Panther suppresses it with an account-age lookup): that first password-only session
 * is exactly the window an attacker who set the password would use.
 */
export default defineRule({
  id: "signin.console-login-without-mfa",
  title: "Console sign-in without MFA",
  severity: "medium",
  description:
    "An IAM user (or root) signed in to the AWS console with only a password. A stolen or guessed password is enough to get in: require MFA for every console user (an IAM policy denying all but MFA setup without aws:MultiFactorAuthPresent) or move people to IAM Identity Center.",
  eventSources: ["signin.amazonaws.com"],
  eventNames: ["ConsoleLogin"],
  match: (r) => {
    const type = r.userIdentity?.type;
    if (type !== "IAMUser" && type !== "Root") return false;
    if (dig(r.responseElements, "ConsoleLogin") !== "Success") return false;
    if (r.additionalEventData?.["SamlProviderArn"]) return false;
    return mfaUsed(r) === "no";
  },
  severityFor: (r) => (r.userIdentity?.type === "Root" ? "high" : "medium"),
  summary: (r, { principal }) =>
    `${actor(principal)} signed in to the console of account ${accountOfRecord(r)} without MFA${r.sourceIPAddress ? ` from ${r.sourceIPAddress}` : ""}`,
  context: (r) => ({
    userType: r.userIdentity?.type,
    loginTo: r.additionalEventData?.["LoginTo"],
    userAgent: r.userAgent,
    mobile: r.additionalEventData?.["MobileVersion"],
  }),
  dedupKey: (r, { principal }) => `${accountOfRecord(r)}|${principal.id}|${r.sourceIPAddress ?? ""}|${hourOf(r)}`,
  status: "stable",
  falsePositives: [
    "A new IAM user's first sign-in before they enroll an MFA device (Panther suppresses it with an account-age lookup trailwatch does not have).",
  ],
  runbook: {
    triage: [
      "Whose sign-in, from which address and browser? Is the user expected to use the console at all?",
      "What did the session do after signing in?",
    ],
    contain: [
      "If not the user: reset the password and enforce MFA (policy denying everything without `aws:MultiFactorAuthPresent`), then review the session's actions.",
    ],
  },
  references: {
    mitre: ["T1078.004"],
    stratus: ["aws.initial-access.console-login-without-mfa"],
    panther: ["AWS.Console.LoginWithoutMFA"],
    sigma: ["AWS Successful Console Login Without MFA"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html"],
  },
});
