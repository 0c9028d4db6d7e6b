import { SNS_TOPIC_ARN } from "../../core/aws/identifiers";
import * as z from "../../core/zod";
import { parseQueueUrl, type QueueRef } from "../../adapters/aws/queue-depth";
import { parseProtectedTrails, type TrailRef } from "../../adapters/aws/trail-status";
import { intVar, parseEnv, requiredVar, textVar } from "../shared/env";

/** The heartbeat's settings, from its environment. */
export interface TrailHeartbeatConfig {
  alertTopicArn: string;
  protectedTrails: TrailRef[];
  maxDeliveryAgeMinutes: number;
  /** DynamoDB table for once-a-day alerts (pk S, TTL expiresAt); without it, alerts repeat hourly. */
  idempotencyTable?: string;
  /** How often the heartbeat runs (for the hourly mail of the stateless gate). */
  periodMinutes: number;
  /** The trail guard's forwarding dead-letter queues in other regions (checked for waiting events). */
  forwardDlqs: QueueRef[];
}

const TOPIC_EXAMPLE = "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts";
const TRAILS_EXAMPLE = '["arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"]';

const envSchema = z.object({
  /** A standard topic: no `.fifo` name, SnsAlertSink sends no message group id. */
  ALERT_TOPIC_ARN: requiredVar(
    z.string().check(z.trim(), z.regex(SNS_TOPIC_ARN, `must be an SNS topic ARN arn:aws:sns:<region>:<account>:<topic>, e.g. ${TOPIC_EXAMPLE}`)),
    `the alert topic's ARN, e.g. ${TOPIC_EXAMPLE}`,
  ),
  PROTECTED_TRAILS: z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx): TrailRef[] => {
      let trails: TrailRef[];
      try {
        trails = parseProtectedTrails(v);
      } catch (e) {
        return z.transformIssue(ctx, (e as Error).message);
      }
      if (trails.length > 0) return trails;
      return z.transformIssue(ctx, `${v?.trim() ? "is empty" : "is not set"}; the heartbeat needs at least one trail ARN to check, e.g. ${TRAILS_EXAMPLE}`);
    }),
  ),
  /** A logging trail whose last log file is older than this is reported as not delivering. */
  MAX_DELIVERY_AGE_MINUTES: intVar(60, 5, 24 * 60),
  /** Unset: no once-a-day claims, the alerts repeat hourly (`ClockGate`). Not checked here: a bad name only costs the claims, see `DynamoDbGate`. */
  IDEMPOTENCY_TABLE: textVar(),
  /** Set by modules/trail-guard from a `rate(...)` schedule of at most an hour. */
  HEARTBEAT_PERIOD_MINUTES: intVar(15, 1, 60),
  /** Set by modules/trail-guard: its forwarding DLQs in the other watched regions, comma-separated. */
  FORWARD_DLQ_URLS: z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx): QueueRef[] => {
      const urls = (v ?? "").split(",").map((u) => u.trim()).filter(Boolean);
      const queues = urls.map(parseQueueUrl);
      const bad = urls.filter((_, i) => !queues[i]);
      if (bad.length === 0) return queues as QueueRef[];
      return z.transformIssue(ctx, `${bad.map((u) => JSON.stringify(u)).join(", ")} is not an SQS queue URL such as https://sqs.eu-central-1.amazonaws.com/111122223333/trailwatch-trail-guard-forward-dlq`);
    }),
  ),
});

/**
 * Reads and validates ALERT_TOPIC_ARN, PROTECTED_TRAILS (at least one trail), MAX_DELIVERY_AGE_MINUTES
 * (5..1440, default 60), IDEMPOTENCY_TABLE (optional), HEARTBEAT_PERIOD_MINUTES (1..60, default 15)
 * and FORWARD_DLQ_URLS (optional).
 * Throws `EnvError` naming every bad variable at once.
 */
export function trailHeartbeatConfig(env: Record<string, string | undefined>): TrailHeartbeatConfig {
  const e = parseEnv("trail-heartbeat", envSchema, env);
  return {
    alertTopicArn: e.ALERT_TOPIC_ARN,
    protectedTrails: e.PROTECTED_TRAILS,
    maxDeliveryAgeMinutes: e.MAX_DELIVERY_AGE_MINUTES,
    idempotencyTable: e.IDEMPOTENCY_TABLE,
    periodMinutes: e.HEARTBEAT_PERIOD_MINUTES,
    forwardDlqs: e.FORWARD_DLQ_URLS,
  };
}
