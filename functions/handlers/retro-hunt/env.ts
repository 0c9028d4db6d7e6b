import { layoutOf, logsRoot, normalizeKeyPrefix } from "../../core/aws/cloudtrail-keys";
import { BUCKET_NAME, ORGANIZATION_ID } from "../../core/aws/identifiers";
import * as z from "../../core/zod";
import type { PlanEnv } from "../../app/retro-hunt/plan";
import type { ScanEnv } from "../../app/retro-hunt/scan";
import type { SummarizeEnv } from "../../app/retro-hunt/summarize";
import { arnVar, intVar, jsonVar, parseEnv, queueUrlVar, requiredVar } from "../shared/env";

export type { PlanEnv, ScanEnv, SummarizeEnv };

const bucket = (what: string) => requiredVar(z.string().check(z.trim(), z.regex(BUCKET_NAME, "is not an S3 bucket name")), what);

/** Where the trail writes: the bucket, its key prefix and (organization trail) the organization id. */
const trailShape = {
  TRAIL_BUCKET: bucket("the trail's S3 bucket, e.g. acme-org-cloudtrail"),
  LOG_PREFIX: z.optional(z.string().check(z.trim())),
  ORGANIZATION_ID: z.pipe(
    z.transform((v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v)),
    z.optional(z.string().check(z.trim(), z.regex(ORGANIZATION_ID, "must look like o-abcd123456"))),
  ),
  RESULTS_BUCKET: bucket("the retro-hunt results bucket"),
};

const planSchema = z.object({
  ...trailShape,
  MAX_WINDOW_DAYS: intVar(400, 1, 3660),
  /** "true" when the deployment lets a hunt publish its alerts to the alert topic. */
  PUBLISH_ALLOWED: z._default(z.enum(["true", "false"], { error: 'must be "true" or "false"' }), "false"),
  LIST_CONCURRENCY: intVar(8, 1, 64),
  /** The deployment's own rule ids (its rules folder), which its scan function's bundle embeds. */
  OWN_RULE_IDS: jsonVar(z._default(z.array(z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{0,127}$/, "is not a rule id"))).check(z.maxLength(1000)), []), 'a JSON list of rule ids, e.g. ["acme.vpn-console-login"]'),
  /** Rules the deployment switches off (a hunt naming one is refused, saying so). */
  DISABLED_RULE_IDS: jsonVar(z._default(z.array(z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{0,127}$/, "is not a rule id"))).check(z.maxLength(1000)), []), 'a JSON list of rule ids, e.g. ["iam.user-created"]'),
});

const scanSchema = z.object({
  ...trailShape,
  RULE_SETTINGS: jsonVar(z._default(z.record(z.string(), z.unknown()), {}), 'a JSON object keyed by rule id, e.g. {"ec2.security-group-open-to-world": {"allowedPorts": [443]}}'),
  READ_CONCURRENCY: intVar(8, 1, 64),
  MAX_OBJECT_MB: intVar(256, 1, 4096),
});

const summarizeSchema = z.object({
  RESULTS_BUCKET: bucket("the retro-hunt results bucket"),
  /** Set only when the deployment publishes hunt alerts to the alert topic. */
  ALERT_TOPIC_ARN: z.optional(arnVar("sns", "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts")),
  UNDELIVERABLE_QUEUE_URL: queueUrlVar("https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-undeliverable-alerts"),
  MERGE_LIMIT: intVar(100_000, 1, 10_000_000),
});

function logRoot(e: { LOG_PREFIX?: string; ORGANIZATION_ID?: string }): string {
  return logsRoot(layoutOf(e.ORGANIZATION_ID), normalizeKeyPrefix(e.LOG_PREFIX));
}

/** Reads the plan function's environment; throws `EnvError` naming every bad variable. */
export function planEnv(env: Record<string, string | undefined>): PlanEnv {
  const e = parseEnv("retro-hunt-plan", planSchema, env);
  return {
    trailBucket: e.TRAIL_BUCKET,
    resultsBucket: e.RESULTS_BUCKET,
    logRoot: logRoot(e),
    maxWindowDays: e.MAX_WINDOW_DAYS,
    publishAllowed: e.PUBLISH_ALLOWED === "true",
    listConcurrency: e.LIST_CONCURRENCY,
    ownRuleIds: e.OWN_RULE_IDS,
    disabledRuleIds: e.DISABLED_RULE_IDS,
  };
}

/** Reads the scan function's environment (rule settings are checked against the catalog by the caller). */
export function scanEnv(env: Record<string, string | undefined>): ScanEnv {
  const e = parseEnv("retro-hunt-scan", scanSchema, env);
  return {
    trailBucket: e.TRAIL_BUCKET,
    resultsBucket: e.RESULTS_BUCKET,
    logRoot: logRoot(e),
    ruleSettings: e.RULE_SETTINGS,
    readConcurrency: e.READ_CONCURRENCY,
    maxObjectBytes: e.MAX_OBJECT_MB * 2 ** 20,
  };
}

/** Reads the summarize function's environment. */
export function summarizeEnv(env: Record<string, string | undefined>): SummarizeEnv {
  const e = parseEnv("retro-hunt-summarize", summarizeSchema, env);
  return {
    resultsBucket: e.RESULTS_BUCKET,
    ...(e.ALERT_TOPIC_ARN ? { alertTopicArn: e.ALERT_TOPIC_ARN } : {}),
    ...(e.UNDELIVERABLE_QUEUE_URL ? { undeliverableQueueUrl: e.UNDELIVERABLE_QUEUE_URL } : {}),
    mergeLimit: e.MERGE_LIMIT,
  };
}
