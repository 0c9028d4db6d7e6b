import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

/**
 * CreateUser. Where people sign in through an identity provider, a new long-term IAM user is rare and
 * is the first step of the "create an admin user" persistence pattern (followed by CreateAccessKey,
 * CreateLoginProfile, AttachUserPolicy, which have rules of their own). Low on its own; medium when
 * the root user does it.
 */
export default defineRule({
  id: "iam.user-created",
  title: "IAM user created",
  severity: "low",
  description:
    "A new IAM user was created. Long-term users with passwords or keys are the easiest identities to steal and to hide as a backdoor; check the user is expected and who owns it.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["CreateUser"],
  match: () => true,
  severityFor: (r, { principal }) => (principal.type === "Root" ? "medium" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} created IAM user ${paramString(r, "userName") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ newUser: paramString(r, "userName"), path: paramString(r, "path"), permissionsBoundary: paramString(r, "permissionsBoundary") }),
  dedupKey: (r) => `${accountOfRecord(r)}|${paramString(r, "userName") ?? ""}|${r.eventTime.slice(0, 10)}`,
  status: "stable",
  falsePositives: [
    "Service users created by infrastructure code for systems that cannot assume roles.",
  ],
  runbook: {
    triage: [
      "Who created the user, with which permissions and credentials (keys, login profile) right after?",
    ],
    contain: [
      "If unexpected: delete the user's keys and login profile, then the user; prefer roles and IAM Identity Center.",
    ],
  },
  references: {
    mitre: ["T1136.003"],
    stratus: ["aws.persistence.iam-create-admin-user"],
    panther: ["AWS.IAM.CreateUser", "AWS.CloudTrail.IAMEntityCreatedWithoutCloudFormation"],
    sigma: ["AWS IAM S3Browser User or AccessKey Creation"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_create.html"],
  },
});
