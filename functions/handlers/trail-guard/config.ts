import * as z from "../../core/zod";
import { REMEDIATION_MODES, type RemediationMode } from "../../core/remediation/permissions";
import { parseProtectedTrails, type TrailRef } from "../../adapters/aws/trail-status";
import { arnVar, jsonVar, parseEnv, queueUrlVar, tableVar } from "../shared/env";
import { maxEventAgeVar } from "../shared/remediation-env";
import type { SelfIdentity } from "../../app/trail-guard/guard";

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
  /** The guard's own role (FUNCTION_ROLE_ARN, set by NodeFunction): its own StartLogging is never acted on. */
  self: SelfIdentity;
  /** The alert ledger table, when alerts go out once across the guard and the log analyzer. */
  alertLedgerTable?: string;
  /** The undeliverable-alerts queue, when the deployment has one. */
  undeliverableQueueUrl?: string;
  /** Events older than this many minutes are never remediated. */
  maxEventAgeMinutes: number;
}

/** A comma-separated list, or a JSON array of strings. */
const listVar = (example: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx): string[] => {
      const text = v?.trim() ?? "";
      if (!text) return [];
      if (!text.startsWith("[")) return text.split(",").map((s) => s.trim()).filter(Boolean);
      try {
        const list: unknown = JSON.parse(text);
        if (Array.isArray(list) && list.every((x) => typeof x === "string" && x.length > 0)) return list as string[];
      } catch {
        // reported below
      }
      return z.transformIssue(ctx, `expected names separated by commas or a JSON array of strings, e.g. ${example}`);
    }),
  );

const envSchema = z.object({
  ALERT_TOPIC_ARN: arnVar("sns", "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts"),
  PROTECTED_TRAILS: z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx) => {
      try {
        return parseProtectedTrails(v);
      } catch (e) {
        return z.transformIssue(ctx, (e as Error).message);
      }
    }),
  ),
  REMEDIATION: jsonVar(
    z._default(z.record(z.string(), z.enum(REMEDIATION_MODES)), {}),
    'a JSON object such as {"cloudtrail.logging-stopped": "apply"} with modes off, dry-run or apply',
  ),
  RULE_SETTINGS: jsonVar(z._default(z.record(z.string(), z.unknown()), {}), "a JSON object keyed by rule id"),
  TRAIL_BUCKET_NAME: listVar('"org-trail-logs"'),
  TRAIL_KMS_KEY_ARN: listVar('"arn:aws:kms:us-east-1:111122223333:key/…"'),
  /** The alert ledger shared with the log analyzer (which then leaves out what the guard sent). */
  ALERT_LEDGER_TABLE: z.optional(tableVar()),
  /** Where an alert SNS refuses for good goes, so the event's other alerts still go out. */
  UNDELIVERABLE_QUEUE_URL: queueUrlVar("https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-undeliverable-alerts"),
  FUNCTION_ROLE_ARN: arnVar("iam", "arn:aws:iam::111122223333:role/trailwatch-trail-guard").check(z.regex(/^arn:[^:]+:iam::\d{12}:role\/.+$/, "must be an IAM role ARN")),
  MAX_EVENT_AGE_MINUTES: maxEventAgeVar(),
});

/** `arn:<partition>:iam::<account>:role/<path/>name` as the identity CloudTrail records for the guard's calls. */
function selfFromRoleArn(arn: string): SelfIdentity {
  const [, account, path] = /^arn:[^:]+:iam::(\d{12}):role\/(.+)$/.exec(arn)!;
  return { account: account!, roleName: path!.slice(path!.lastIndexOf("/") + 1) };
}

/**
 * Reads and validates the environment (ALERT_TOPIC_ARN, PROTECTED_TRAILS, REMEDIATION, RULE_SETTINGS,
 * TRAIL_BUCKET_NAME, TRAIL_KMS_KEY_ARN, FUNCTION_ROLE_ARN, ALERT_LEDGER_TABLE, UNDELIVERABLE_QUEUE_URL,
 * MAX_EVENT_AGE_MINUTES). Throws `EnvError` naming every bad variable.
 */
export function trailGuardConfig(env: Record<string, string | undefined>): TrailGuardConfig {
  const e = parseEnv("trail-guard", envSchema, env);
  return {
    alertTopicArn: e.ALERT_TOPIC_ARN,
    protectedTrails: e.PROTECTED_TRAILS,
    remediation: e.REMEDIATION,
    ruleSettings: e.RULE_SETTINGS,
    trailBuckets: e.TRAIL_BUCKET_NAME,
    trailKeys: e.TRAIL_KMS_KEY_ARN,
    self: selfFromRoleArn(e.FUNCTION_ROLE_ARN),
    ...(e.ALERT_LEDGER_TABLE ? { alertLedgerTable: e.ALERT_LEDGER_TABLE } : {}),
    ...(e.UNDELIVERABLE_QUEUE_URL ? { undeliverableQueueUrl: e.UNDELIVERABLE_QUEUE_URL } : {}),
    maxEventAgeMinutes: e.MAX_EVENT_AGE_MINUTES,
  };
}
