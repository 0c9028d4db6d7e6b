import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, stringList } from "../helpers";

/**
 * True when a BatchGetSecretValue names no secrets and its filters select nothing specific: no
 * filters, or only negated ones ("every secret without tag X").
 */
export function requestsEverything(r: CloudTrailRecord): boolean {
  if (stringList(dig(r.requestParameters, "secretIdList")).length > 0) return false;
  const filters = asList(dig(r.requestParameters, "filters"));
  return filters.every((f) => {
    const values = stringList(dig(f, "values"));
    return values.length === 0 || values.every((v) => v.startsWith("!"));
  });
}

/**
 * BatchGetSecretValue that asks for every secret the caller can read: no secret ids and no filter
 * that selects (only negated filters, or none). Applications ask for their own secrets by name or tag;
 * asking for everything is how stolen credentials dump secrets in one call.
 */
export default defineRule({
  id: "secretsmanager.all-secrets-requested",
  title: "All secrets requested in one batch",
  severity: "medium",
  status: "experimental",
  description:
    "A BatchGetSecretValue named no secrets and no selecting filter, returning every secret the caller may read: what a credential dump looks like. Reads of many named secrets within minutes are `secretsmanager.secrets-read-burst` (high).",
  eventSources: ["secretsmanager.amazonaws.com"],
  eventNames: ["BatchGetSecretValue"],
  match: (r) => requestsEverything(r),
  summary: (r, { principal }) => `${actor(principal)} asked Secrets Manager for every secret it can read in one call in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({ filters: asList(dig(r.requestParameters, "filters")).slice(0, 10), region: r.awsRegion }),
  falsePositives: [
    "Secret-sync tools set to copy every secret.",
  ],
  runbook: {
    triage: [
      "Is the caller a sync tool (principal, user agent)? Which secrets could it read?",
    ],
    contain: [
      "Rotate readable secrets, databases and third-party keys first; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1555.006"],
    stratus: ["aws.credential-access.secretsmanager-batch-retrieve-secrets"],
    panther: ["AWS.SecretsManager.BatchRetrieveSecretsCatchAll"],
    urls: ["https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html"],
  },
});
