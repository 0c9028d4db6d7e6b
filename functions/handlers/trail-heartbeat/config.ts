import { parseProtectedTrails, type TrailRef } from "../../adapters/aws/trail-status";

/** The heartbeat's settings, from its environment. */
export interface TrailHeartbeatConfig {
  alertTopicArn: string;
  protectedTrails: TrailRef[];
  maxDeliveryAgeMinutes: number;
  /** DynamoDB table for once-a-day alerts (pk S, TTL expiresAt); without it, alerts repeat hourly. */
  idempotencyTable?: string;
  /** How often the heartbeat runs (for the hourly mail of the stateless gate). */
  periodMinutes: number;
}

/** Bad configuration: the message names the variable and what is expected. */
export class HeartbeatConfigError extends Error {
  override name = "HeartbeatConfigError";
}

function int(env: Record<string, string | undefined>, name: string, def: number, min: number, max: number): number {
  const v = env[name]?.trim();
  if (!v) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new HeartbeatConfigError(`${name} is "${v}"; expected an integer from ${min} to ${max}`);
  return n;
}

/** Reads ALERT_TOPIC_ARN, PROTECTED_TRAILS, MAX_DELIVERY_AGE_MINUTES, IDEMPOTENCY_TABLE, HEARTBEAT_PERIOD_MINUTES. */
export function trailHeartbeatConfig(env: Record<string, string | undefined>): TrailHeartbeatConfig {
  const alertTopicArn = env.ALERT_TOPIC_ARN?.trim();
  if (!alertTopicArn || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(alertTopicArn)) {
    throw new HeartbeatConfigError(`ALERT_TOPIC_ARN is ${alertTopicArn ? `"${alertTopicArn}", not an SNS topic ARN` : "not set"}; expected arn:aws:sns:<region>:<account>:<topic>`);
  }
  let protectedTrails: TrailRef[];
  try {
    protectedTrails = parseProtectedTrails(env.PROTECTED_TRAILS);
  } catch (err) {
    throw new HeartbeatConfigError((err as Error).message);
  }
  if (protectedTrails.length === 0) throw new HeartbeatConfigError("PROTECTED_TRAILS is empty; the heartbeat needs at least one trail ARN to check");
  return {
    alertTopicArn,
    protectedTrails,
    maxDeliveryAgeMinutes: int(env, "MAX_DELIVERY_AGE_MINUTES", 60, 5, 24 * 60),
    idempotencyTable: env.IDEMPOTENCY_TABLE?.trim() || undefined,
    periodMinutes: int(env, "HEARTBEAT_PERIOD_MINUTES", 15, 1, 60),
  };
}
