import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, callerUserName, paramBool, paramString } from "../helpers";

function forAnotherUser(r: CloudTrailRecord): boolean {
  const target = paramString(r, "userName");
  if (!target) return false;
  return callerUserName(r) !== target;
}

/**
 * CreateLoginProfile / UpdateLoginProfile: a console password set for an IAM user. Setting another
 * user's password without forcing a reset is how an attacker takes over that user (Stratus
 * "iam-update-user-login-profile"); with a forced reset it is usually an administrator provisioning
 * or resetting an account. An IAM user changing its own (they normally use ChangePassword) is low; a
 * role session is never "self", whatever its session name.
 */
export default defineRule({
  id: "iam.login-profile-changed",
  title: "IAM console password set for a user",
  severity: "medium",
  description:
    "A console password (login profile) was created or changed for an IAM user. When done for another user without requiring a reset at next sign-in, the caller now knows a working password for that user: treat it as an account takeover unless it was requested.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["CreateLoginProfile", "UpdateLoginProfile"],
  match: () => true,
  severityFor: (r) => {
    if (!forAnotherUser(r)) return "low";
    return paramBool(r, "passwordResetRequired") === true ? "medium" : "high";
  },
  summary: (r, { principal }) => {
    const verb = r.eventName === "CreateLoginProfile" ? "created a console password" : "changed the console password";
    const whom = forAnotherUser(r) ? `of user ${paramString(r, "userName")}` : "of their own user";
    const reset = paramBool(r, "passwordResetRequired") === true ? " (reset required at next sign-in)" : " (no reset required)";
    return `${actor(principal)} ${verb} ${whom}${reset} in account ${accountOfRecord(r)}`;
  },
  context: (r) => ({
    targetUser: paramString(r, "userName") ?? callerUserName(r),
    forAnotherUser: forAnotherUser(r),
    passwordResetRequired: paramBool(r, "passwordResetRequired") ?? false,
  }),
  dedupKey: (r) => `${accountOfRecord(r)}|${paramString(r, "userName") ?? ""}|${r.eventID ?? r.eventTime}`,
  status: "stable",
  falsePositives: [
    "Help-desk password resets with `passwordResetRequired` (medium).",
    "Users changing their own password (low).",
  ],
  runbook: {
    triage: [
      "Whose password was set, by whom, and was a reset at next sign-in required?",
      "Did the user sign in to the console afterwards, and from where?",
    ],
    contain: [
      "If unexpected: delete the login profile or set a new password with a forced reset, and review the user's console activity.",
    ],
  },
  references: {
    mitre: ["T1098.001", "T1098"],
    stratus: ["aws.persistence.iam-create-user-login-profile", "aws.privilege-escalation.iam-update-user-login-profile"],
    panther: ["AWS.CloudTrail.LoginProfileCreatedOrModified", "AWS.User.Login.Profile.Modified"],
    sigma: ["AWS User Login Profile Was Modified", "AWS IAM S3Browser LoginProfile Creation"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html"],
  },
});
