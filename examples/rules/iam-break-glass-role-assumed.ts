// Only a type is imported, and types are erased when the rule is loaded or bundled: the file works
// from any folder. (A rule in a folder inside your trailwatch checkout may also import trailwatch's
// helpers, e.g. functions/core/rules/helpers, by a relative path.)
import type { Rule } from "../../functions/core/rules/rule";

/** Roles kept for emergencies in this organization are named `break-glass-*`. */
const BREAK_GLASS = /(^|\/)break-?glass[^/]*$/i;

/** A string request parameter, if the record has it. */
const param = (r: { requestParameters?: unknown }, name: string): string | undefined => {
  const v = (r.requestParameters as Record<string, unknown> | null | undefined)?.[name];
  return typeof v === "string" ? v : undefined;
};

/**
 * An example of your own TypeScript rule: a break-glass role assumed. Same shape as a catalog rule
 * (see functions/core/rules/README.md); `trailwatch test-rules examples/rules` runs its examples
 * (those below and `iam-break-glass-role-assumed.tests.json`).
 */
const rule: Rule<undefined, { role: string }> = {
  id: "iam.break-glass-role-assumed",
  title: "Break-glass role assumed",
  severity: "high",
  description: "Someone assumed one of the organization's break-glass roles, kept for emergencies only.",
  eventSources: ["sts.amazonaws.com"],
  eventNames: ["AssumeRole"],
  match: (r) => {
    const role = param(r, "roleArn");
    return role !== undefined && BREAK_GLASS.test(role) ? { role } : false;
  },
  summary: (r, { principal }, m) => `${principal.name} assumed break-glass role ${m.role} in account ${r.recipientAccountId ?? "unknown"}`,
  context: (r, _ctx, m) => ({ role: m.role, session: param(r, "roleSessionName") }),
  runbook: {
    triage: ["Is there an open incident that needed the break-glass role? Ask the person named in the session.", "What did the session do? Search CloudTrail for its access key."],
    contain: ["If nobody expected it, revoke the role's sessions (AWSRevokeOlderSessions) and rotate its credentials."],
  },
  references: { mitre: ["T1078.004"] },
  examples: {
    positive: [
      {
        eventVersion: "1.09", eventTime: "2026-11-20T10:00:00Z", eventSource: "sts.amazonaws.com", eventName: "AssumeRole", awsRegion: "us-east-1",
        userIdentity: { type: "IAMUser", principalId: "AIDA2FBEEFA3A12D1BF0C", arn: "arn:aws:iam::111122223333:user/ops-admin", accountId: "111122223333", userName: "ops-admin" },
        sourceIPAddress: "198.51.100.23", userAgent: "aws-cli/2.17.31", eventID: "5e6b4c8a-0d51-4f43-9d8e-3c2b1a000001", eventType: "AwsApiCall", recipientAccountId: "111122223333",
        requestParameters: { roleArn: "arn:aws:iam::111122223333:role/break-glass-admin", roleSessionName: "ops-admin" },
      },
    ],
    negative: [
      {
        eventVersion: "1.09", eventTime: "2026-11-20T10:05:00Z", eventSource: "sts.amazonaws.com", eventName: "AssumeRole", awsRegion: "us-east-1",
        userIdentity: { type: "IAMUser", principalId: "AIDA2FBEEFA3A12D1BF0C", arn: "arn:aws:iam::111122223333:user/ops-admin", accountId: "111122223333", userName: "ops-admin" },
        sourceIPAddress: "198.51.100.23", userAgent: "aws-cli/2.17.31", eventID: "5e6b4c8a-0d51-4f43-9d8e-3c2b1a000002", eventType: "AwsApiCall", recipientAccountId: "111122223333",
        requestParameters: { roleArn: "arn:aws:iam::111122223333:role/ci-deployer", roleSessionName: "ops-admin" },
      },
    ],
  },
};

export default rule;
