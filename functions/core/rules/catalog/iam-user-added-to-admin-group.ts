import * as z from "../../zod";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, patternListSchema, firstMatchingPattern } from "../helpers";

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions for the names of groups that grant administrator-level access. */
  adminGroupPatterns: patternListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

function adminPattern(group: string, s: Settings): string | undefined {
  return firstMatchingPattern(s.adminGroupPatterns, group);
}

/**
 * AddUserToGroup for a group whose name says it is an admin group. The event does not carry the
 * group's policies, so the name is the signal; list your own admin groups in `adminGroupPatterns`
 * (an AttachGroupPolicy of AdministratorAccess is caught by iam.admin-policy-attached).
 */
export default defineRule<Settings>({
  id: "iam.user-added-to-admin-group",
  title: "User added to an administrators group",
  severity: "high",
  description:
    "An IAM user was added to a group whose name marks it as an administrators group. Membership gives the user everything the group can do; check the change was approved.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["AddUserToGroup"],
  match: (r, { settings }) => adminPattern(paramString(r, "groupName") ?? "", settings) !== undefined,
  summary: (r, { principal }) =>
    `${actor(principal)} added user ${paramString(r, "userName") ?? "(unknown)"} to group ${paramString(r, "groupName")} in account ${accountOfRecord(r)}`,
  context: (r, { settings }) => ({
    user: paramString(r, "userName"),
    group: paramString(r, "groupName"),
    matchedPattern: adminPattern(paramString(r, "groupName") ?? "", settings),
  }),
  dedupKey: (r) => `${accountOfRecord(r)}|${paramString(r, "groupName")}|${paramString(r, "userName")}|${r.eventTime.slice(0, 10)}`,
  status: "stable",
  falsePositives: [
    "Onboarding of a new administrator (confirm the request).",
  ],
  runbook: {
    triage: [
      "Who was added, by whom, and what does the group grant?",
    ],
    contain: [
      "If unexpected: remove the user from the group (`aws iam remove-user-from-group`) and review what it did with the access.",
    ],
  },
  references: { mitre: ["T1098.003"], urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_add-remove-users.html"] },
  settings: { schema: settingsSchema, defaults: { adminGroupPatterns: ["admin", "(^|[^a-z])root([^a-z]|$)", "super[-_]?users?", "power[-_]?users?", "break[-_]?glass"] } },
});
