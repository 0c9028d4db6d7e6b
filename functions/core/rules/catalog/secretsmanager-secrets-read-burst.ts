import { actor, stringList } from "../helpers";
import { rawActor, rawObjectField } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * The secret a secretId names, the same whether it is given as a name or an ARN: the ARN's name part
 * without the six random characters Secrets Manager appends (`prod/db-AbC123` -> `prod/db`).
 */
export function secretName(id: string): string {
  const i = id.indexOf(":secret:");
  if (i < 0) return id;
  const name = id.slice(i + 8);
  return /-[A-Za-z0-9]{6}$/.test(name) ? name.slice(0, -7) : name;
}

/**
 * One principal reading (or trying to read) many different secrets within minutes: what a thief with
 * stolen credentials does (Stratus "secretsmanager-retrieve-secrets" and its batch variant), never what
 * an application does, which reads its few secrets again and again. Counted: distinct secrets of
 * GetSecretValue (Secrets Manager also logs one per secret a BatchGetSecretValue returns) and of a
 * BatchGetSecretValue's `secretIdList`; a BatchGetSecretValue by filters counts once, as its filter.
 * Denied attempts count too: enumeration with too few permissions is still enumeration. Applications
 * read secrets all day, so the rule reads records raw (no validation) and validates the one that alerts.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "secretsmanager.secrets-read-burst",
  title: "Many secrets read in minutes",
  severity: "high",
  description:
    "One principal read, or tried to read, the values of many different Secrets Manager secrets within a few minutes. Applications read the same few secrets over and over; reading many different ones at once is how stolen credentials are turned into more credentials. A single batch that names no secret at all is reported at once by `secretsmanager.all-secrets-requested` (medium).",
  eventSources: ["secretsmanager.amazonaws.com"],
  eventNames: ["GetSecretValue", "BatchGetSecretValue"],
  count: "distinct",
  // What observeRaw reads: a scan gives it these fields without parsing the record.
  rawFields: ["requestParameters", "userIdentity"],
  observeRaw: (raw) => {
    const a = rawActor(raw);
    if (!a) return undefined;
    const params = rawObjectField(raw.requestParameters);
    if (raw.eventName === "GetSecretValue") {
      return typeof params.secretId === "string" && params.secretId ? { group: a.key, value: secretName(params.secretId) } : undefined;
    }
    const ids = stringList(params.secretIdList);
    if (ids.length > 0) return { group: a.key, value: ids.map(secretName) };
    return { group: a.key, value: `batch filter ${JSON.stringify(params.filters ?? "(none)").slice(0, 60)}` };
  },
  summary: (b) =>
    `${actor(b.principal)} read or tried to read ${b.count} different secrets ${burstSpan(b)} (${listValues(b)}) in account ${b.record.recipientAccountId ?? b.principal.accountId ?? "unknown"}`,
  status: "stable",
  falsePositives: [
    "A deployment tool or configuration loader that fetches every secret of an environment at start-up (raise `threshold` or add the role to `ignorePrincipals`).",
    "A secrets inventory or rotation audit script run by the security team.",
  ],
  runbook: {
    triage: [
      "Look up the principal and its session: is it a person (SSO, IAM user) or a workload role, and does it normally read secrets at all? Check the source IP and user agent of the calls.",
      "List the secrets it read (context.values) and check which calls succeeded: a denied call exposed nothing, a successful one exposed the secret's value.",
      "Look for what came before: a console sign-in or AssumeRole from an unusual place, ListSecrets calls, new access keys.",
    ],
    contain: [
      "If not expected: revoke the session (for a role, attach a deny-all policy with an `aws:TokenIssueTime` condition; for a user, deactivate its access keys), then rotate every secret that was read successfully.",
      "Check where the rotated credentials were used meanwhile (database logins, third-party API dashboards).",
    ],
  },
  references: {
    mitre: ["T1555.006", "T1552"],
    stratus: ["aws.credential-access.secretsmanager-retrieve-secrets", "aws.credential-access.secretsmanager-batch-retrieve-secrets"],
    panther: ["AWS.SecretsManager.RetrieveSecrets", "AWS.SecretsManager.BatchRetrieveSecrets"],
    urls: ["https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html"],
  },
  settings: thresholdSettings({ threshold: 10, windowMinutes: 10, dedupMinutes: 60 }),
});
