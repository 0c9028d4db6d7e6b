import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import type { RemediationMode } from "../../core/remediation/permissions";
import { parseProtectedTrails, type TrailRef } from "../../adapters/aws/trail-status";

/** The trail guard's settings, from its environment. */
export interface TrailGuardConfig {
  alertTopicArn: string;
  protectedTrails: TrailRef[];
  /** Remediation mode per rule id; absent = off. */
  remediation: Record<string, RemediationMode>;
  ruleSettings: Record<string, unknown>;
  /** The protected trails' bucket and key, when the deployment names them (see `TamperingSettings`). */
  trailBuckets: string[];
  trailKeys: string[];
}

/** Bad configuration: the message names the variable and what is expected. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

function json(env: Record<string, string | undefined>, name: string): unknown {
  const v = env[name];
  if (v === undefined || v.trim() === "") return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new ConfigError(`${name} is not valid JSON`);
  }
}

const remediationSchema = z.record(z.string(), z.enum(["off", "dry-run", "apply"]));
const ruleSettingsSchema = z.record(z.string(), z.unknown());

function check<T>(schema: z.ZodType<T>, value: unknown, name: string, expected: string): T {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const i = res.error.issues[0];
  throw new ConfigError(`${name}${i?.path.length ? `.${i.path.join(".")}` : ""}: ${i?.message}; expected ${expected}`);
}

/** A comma-separated list (or JSON array) variable. */
function list(env: Record<string, string | undefined>, name: string): string[] {
  const v = env[name]?.trim();
  if (!v) return [];
  if (v.startsWith("[")) return check(z.array(z.string().min(1)), json(env, name), name, "a JSON array of strings");
  return v.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Reads and validates the environment (ALERT_TOPIC_ARN, PROTECTED_TRAILS, REMEDIATION, RULE_SETTINGS, TRAIL_BUCKET_NAME, TRAIL_KMS_KEY_ARN). */
export function trailGuardConfig(env: Record<string, string | undefined>): TrailGuardConfig {
  const alertTopicArn = env.ALERT_TOPIC_ARN?.trim();
  if (!alertTopicArn || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(alertTopicArn)) {
    throw new ConfigError(`ALERT_TOPIC_ARN is ${alertTopicArn ? `"${alertTopicArn}", not an SNS topic ARN` : "not set"}; expected arn:aws:sns:<region>:<account>:<topic>`);
  }
  let protectedTrails: TrailRef[];
  try {
    protectedTrails = parseProtectedTrails(env.PROTECTED_TRAILS);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    alertTopicArn,
    protectedTrails,
    remediation: check(remediationSchema, json(env, "REMEDIATION") ?? {}, "REMEDIATION", 'a JSON object such as {"cloudtrail.logging-stopped": "apply"} with modes off, dry-run or apply'),
    ruleSettings: check(ruleSettingsSchema, json(env, "RULE_SETTINGS") ?? {}, "RULE_SETTINGS", "a JSON object keyed by rule id"),
    trailBuckets: list(env, "TRAIL_BUCKET_NAME"),
    trailKeys: list(env, "TRAIL_KMS_KEY_ARN"),
  };
}
