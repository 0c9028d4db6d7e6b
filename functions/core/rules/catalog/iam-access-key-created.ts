import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, callerUserName, paramString, responseString } from "../helpers";

type Whose = "root" | "self" | "other";

/** The user the new key belongs to; the caller's own user when the request names none. */
function targetUser(r: CloudTrailRecord): string | undefined {
  return paramString(r, "userName") ?? responseString(r, "accessKey", "userName");
}

function whose(r: CloudTrailRecord): Whose {
  const target = paramString(r, "userName");
  if (!target) return r.userIdentity?.type === "Root" ? "root" : "self";
  const caller = callerUserName(r);
  return caller !== undefined && caller === target ? "self" : "other";
}

/**
 * CreateAccessKey. A key for another user is a classic persistence move (Stratus
 * "iam-backdoor-user"): whoever holds it acts as that user, without their password or MFA. A key for
 * the root user is never needed. A key for yourself is reported at low severity, so an organisation
 * can follow long-term keys without being paged for them.
 */
export default defineRule({
  id: "iam.access-key-created",
  title: "IAM access key created",
  severity: "medium",
  description:
    "A long-term access key was created. For another user, someone can now act as that user without their password or MFA; for root, a key that should never exist now does. Confirm the request, and delete the key if nobody asked for it.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["CreateAccessKey"],
  match: () => true,
  severityFor: (r) => ({ root: "critical", other: "high", self: "low" } as const)[whose(r)],
  summary: (r, { principal }) => {
    const w = whose(r);
    const key = responseString(r, "accessKey", "accessKeyId");
    const what = w === "root" ? "an access key for the root user" : w === "self" ? "an access key for themselves" : `an access key for user ${targetUser(r)}`;
    return `${actor(principal)} created ${what}${key ? ` (${key})` : ""} in account ${accountOfRecord(r)}`;
  },
  context: (r) => ({
    targetUser: whose(r) === "root" ? "root" : targetUser(r) ?? callerUserName(r),
    accessKeyId: responseString(r, "accessKey", "accessKeyId"),
    forAnotherUser: whose(r) === "other",
  }),
  dedupKey: (r) => `${accountOfRecord(r)}|${targetUser(r) ?? "self"}|${responseString(r, "accessKey", "accessKeyId") ?? r.eventID ?? r.eventTime}`,
  status: "stable",
  falsePositives: [
    "Users creating their own key for CLI work (low severity).",
    "Administrators issuing a key for a service user on request (confirm the ticket).",
  ],
  runbook: {
    triage: [
      "For whom was the key created, and by whom? A key for another user, or for root, needs an explanation.",
      "Was the key used since (search CloudTrail for its access key id, `responseElements.accessKey.accessKeyId`)?",
    ],
    contain: [
      "If unexpected: deactivate and delete the key (`aws iam update-access-key --status Inactive`, `delete-access-key`) and review what it did.",
    ],
  },
  references: {
    mitre: ["T1098.001"],
    stratus: ["aws.persistence.iam-backdoor-user", "aws.persistence.iam-create-admin-user"],
    panther: ["AWS.IAM.Backdoor.User.Keys"],
    sigma: ["AWS IAM Backdoor Users Keys", "AWS IAM S3Browser User or AccessKey Creation"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"],
  },
});
