import { accountOfRecord, signinFailed } from "../helpers";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * Failed console sign-ins of many different users of one account within an hour: password spraying
 * tries one or two common passwords against every user name it knows, staying under per-user
 * lockouts. Counted per account: distinct user names that failed, whatever the source addresses.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "signin.password-spraying",
  title: "Failed sign-ins across many users",
  severity: "high",
  description:
    "Console sign-ins failed for many different users of one account within an hour. One or two failures per user across many users is password spraying, which stays under per-user alerting. Each failure alone is `signin.console-login-failed` (low, once per user, address and hour).",
  eventSources: ["signin.amazonaws.com"],
  eventNames: ["ConsoleLogin"],
  identityTypes: ["IAMUser", "Root"],
  includeFailedCalls: true,
  count: "distinct",
  match: (r) => signinFailed(r),
  groupBy: (r) => `account ${accountOfRecord(r)}`,
  values: (r, { principal }) => [principal.type === "Root" ? "root" : principal.name],
  summary: (b) => `Console sign-ins of ${b.count} different users failed ${burstSpan(b)} in account ${accountOfRecord(b.record)} (${listValues(b, 5)})`,
  status: "experimental",
  falsePositives: ["A password policy change or forced reset that makes many users fail once on the same morning."],
  runbook: {
    triage: [
      "From which addresses did the failures come (search the account's ConsoleLogin events of the window)? Many users from few addresses is spraying.",
      "Did any of the users sign in successfully from those addresses afterwards?",
    ],
    contain: [
      "Reset the passwords of users that then signed in from those addresses, enforce MFA for every IAM user, and consider moving people to IAM Identity Center.",
    ],
  },
  references: {
    mitre: ["T1110.003"],
    panther: ["AWS.CloudTrail.PasswordSpraying"],
    sigma: ["AWS ConsoleLogin Failed Authentication"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html"],
  },
  settings: thresholdSettings({ threshold: 5, windowMinutes: 60, dedupMinutes: 240 }),
});
