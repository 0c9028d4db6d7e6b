import * as z from "../../core/zod";
import type { CatalogRule } from "../../core/rules/threshold-rule";
import { REMEDIATION_MODES, type RemediationMode } from "../../core/remediation/permissions";
import { arnVar, jsonVar, parseEnv, queueUrlVar, tableVar } from "../shared/env";
import { checkRuleEnvironment } from "../shared/rule-env";

const envSchema = z.object({
  AWS_REGION: z.string().check(z.trim(), z.minLength(1)),
  ALERT_TOPIC_ARN: arnVar("sns", "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts"),
  IDEMPOTENCY_TABLE: tableVar(),
  /** The alert ledger shared with the trail guard: an alert it already sent for the same event is left out. */
  ALERT_LEDGER_TABLE: z.optional(tableVar()),
  /** Where an alert SNS refuses for good goes, so the other alerts of the file still go out. */
  UNDELIVERABLE_QUEUE_URL: queueUrlVar("https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-undeliverable-alerts"),
  REMEDIATION: jsonVar(
    z._default(z.record(z.string(), z.enum(REMEDIATION_MODES)), {}),
    'a JSON object of rule id to "off", "dry-run" or "apply", e.g. {"iam.admin-policy-attached": "dry-run"}',
  ),
  /** Optional: the function's own role; when absent it is asked from STS once per container. */
  FUNCTION_ROLE_ARN: z.optional(arnVar("iam", "arn:aws:iam::111122223333:role/trailwatch-log-analyzer")),
  /** Name of the remediator function; when set, remediations run there (the analyzer holds no remediation permission). */
  REMEDIATOR_FUNCTION: z.pipe(
    z.transform((v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v)),
    z.optional(z.string().check(z.trim(), z.regex(/^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/, "must be a Lambda function name or ARN"))),
  ),
  /** How long an object is remembered as processed (beyond the queue's retention, so a DLQ replay does not alert twice). */
  IDEMPOTENCY_TTL_DAYS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(365)), 15),
  /** Deliveries of a message during which a throttled remediation retries the message; later the alert goes out with the failure. */
  REMEDIATION_RETRY_RECEIVES: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 3),
});

/** The log analyzer's validated settings. */
export interface LogAnalyzerConfig {
  region: string;
  alertTopicArn: string;
  idempotencyTable: string;
  idempotencyTtlDays: number;
  /** The alert ledger table, when alerts go out once across the trail guard and the analyzer. */
  alertLedgerTable?: string;
  /** The undeliverable-alerts queue, when the deployment has one. */
  undeliverableQueueUrl?: string;
  /** Remediation mode per rule id; only rules that have a remediation may appear. */
  remediation: Record<string, RemediationMode>;
  functionRoleArn?: string;
  /** The remediator function, when remediations run there. */
  remediatorFunction?: string;
  remediationRetryReceives: number;
}

/**
 * Reads the environment and checks it against the rules: `REMEDIATION` may name only rules that
 * exist and have a remediation. Throws
 * {@link EnvError} naming every problem.
 */
export function logAnalyzerConfig(catalog: readonly CatalogRule[], env: Record<string, string | undefined> = process.env): LogAnalyzerConfig {
  const e = parseEnv("log-analyzer", envSchema, env);
  // Rule settings come with the rules the bundle embeds (the deployment's tuning), not the environment.
  checkRuleEnvironment("log-analyzer", catalog, undefined, e.REMEDIATION);
  return {
    region: e.AWS_REGION,
    alertTopicArn: e.ALERT_TOPIC_ARN,
    idempotencyTable: e.IDEMPOTENCY_TABLE,
    idempotencyTtlDays: e.IDEMPOTENCY_TTL_DAYS,
    ...(e.ALERT_LEDGER_TABLE ? { alertLedgerTable: e.ALERT_LEDGER_TABLE } : {}),
    ...(e.UNDELIVERABLE_QUEUE_URL ? { undeliverableQueueUrl: e.UNDELIVERABLE_QUEUE_URL } : {}),
    remediation: e.REMEDIATION,
    ...(e.FUNCTION_ROLE_ARN ? { functionRoleArn: e.FUNCTION_ROLE_ARN } : {}),
    ...(e.REMEDIATOR_FUNCTION ? { remediatorFunction: e.REMEDIATOR_FUNCTION } : {}),
    remediationRetryReceives: e.REMEDIATION_RETRY_RECEIVES,
  };
}
