import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, hourOf, responseString } from "../helpers";

function failed(r: CloudTrailRecord): boolean {
  return responseString(r, "ConsoleLogin")?.toLowerCase() === "failure";
}

/** The user name a failed sign-in was attempted for ("HIDDEN_DUE_TO_SECURITY_REASONS" when it does not exist). */
function target(r: CloudTrailRecord): string {
  if (r.userIdentity?.type === "Root") return "root";
  const ui = r.userIdentity;
  return ui?.userName ?? (ui?.arn ? ui.arn.split("/").pop() : undefined) ?? "unknown user";
}

function mfaUsed(r: CloudTrailRecord): boolean {
  return String(r.additionalEventData?.["MFAUsed"] ?? "").toLowerCase() === "yes";
}

/**
 * A failed console sign-in. One typo is nothing, so IAM users are low; the signal is in the volume,
 * which shows as occurrences (one alert per target, source address and hour) and as many alerts for
 * many users (password spraying). Root is medium: nobody should be typing root's password.
 */
export default defineRule({
  id: "signin.console-login-failed",
  title: "Console sign-in failed",
  severity: "low",
  description:
    "A console sign-in failed. One is a typo; many for one user are guessing, failures for many users from one address are spraying, a failure with MFA used means the password was right. A failed root sign-in is always worth a look. Each user and address is reported at most once an hour, at low (root medium); repeated failures of one user are `signin.console-login-failures`, failures across many users `signin.password-spraying`.",
  eventSources: ["signin.amazonaws.com"],
  eventNames: ["ConsoleLogin"],
  match: (r) => failed(r),
  severityFor: (r) => (r.userIdentity?.type === "Root" ? "medium" : "low"),
  summary: (r) =>
    `console sign-in as ${r.userIdentity?.type === "Root" ? "the root user" : target(r)} failed in account ${accountOfRecord(r)}${r.sourceIPAddress ? ` from ${r.sourceIPAddress}` : ""}${r.errorMessage ? ` (${r.errorMessage})` : ""}`,
  context: (r) => ({
    targetUser: target(r),
    identityType: r.userIdentity?.type,
    mfaUsed: mfaUsed(r),
    errorMessage: r.errorMessage,
    userAgent: r.userAgent,
  }),
  // Repeated failures for one user from one address collapse into one alert with occurrences; another
  // user or another address is a new alert, so a spray stays visible.
  dedupKey: (r) => `${accountOfRecord(r)}|${target(r)}|${r.sourceIPAddress ?? ""}|${hourOf(r)}`,
  status: "stable",
  falsePositives: [
    "People mistyping their password or using an expired one; password managers filling an old password.",
    "Users trying to sign in to the wrong account (the account id or alias in the sign-in URL).",
  ],
  runbook: {
    triage: [
      "Look at occurrences and at other alerts of this rule in the same hour: many failures for one user (guessing) or one address failing for many users (spraying).",
      "Check the source address and user agent against where the user normally signs in from; HIDDEN_DUE_TO_SECURITY_REASONS means the user name does not exist.",
      "For failures with MFA used, the password is known to whoever tried: ask the user whether it was them.",
      "Look for a successful ConsoleLogin for the same user or from the same address right after.",
    ],
    contain: [
      "Reset the password of a targeted user whose password may be known, and make sure MFA is enforced for them.",
      "For root: confirm the root password and MFA device are held by the right people; rotate the password if in doubt.",
      "Block the source address where you can (SCP with aws:SourceIp conditions, identity-provider policies).",
    ],
  },
  references: {
    mitre: ["T1110", "T1110.001", "T1110.003"],
    panther: ["AWS.Console.RootLoginFailed", "AWS.CloudTrail.PasswordSpraying", "AWS.Unsuccessful.MFA.attempt", "Standard.BruteForceByIP", "Standard.BruteForceByUser"],
    sigma: ["AWS ConsoleLogin Failed Authentication"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html"],
  },
});
