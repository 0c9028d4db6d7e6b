import * as z from "zod";
import { SAGEMAKER_COLUMNS } from "../../functions/adapters/aws/sagemaker-scorer";
import { ACCOUNT_ID_RE, BUCKET_NAME_RE, REGION_RE } from "../../functions/core/scoring/input";
import { DEFAULT_INSIGHT_THRESHOLD } from "../../functions/core/scoring/threshold";
import { KMS_KEY_ARN, keyPrefixSchema, logLayoutSchema } from "../platform/config-fields";


/** CloudTrail's key layout in the bucket (the same choice as the log analyzer's). */
export const scoringLayoutSchema = logLayoutSchema;

/** Which scorer scores the pairs. */
export const scorerSchema = z.discriminatedUnion("type", [
  /** The built-in scorer: history of the preceding days, no infrastructure (README, "The built-in scorer"). */
  z.strictObject({ type: z.literal("builtin") }),
  /** A SageMaker real-time endpoint that takes `text/csv` rows and returns one score per row. */
  z.strictObject({
    type: z.literal("sagemaker"),
    endpointName: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, { message: "expected a SageMaker endpoint name" }),
    /** Columns of each CSV row (default principal, eventName, count). */
    columns: z.array(z.enum(SAGEMAKER_COLUMNS)).min(1).optional(),
    maxRowsPerRequest: z.number().int().min(1).max(100_000).default(500),
  }),
]);

/** One daily run: an account and a region, scored for the previous UTC day. */
export const scheduleSchema = z.strictObject({
  account: z.string().regex(ACCOUNT_ID_RE, { message: "expected a 12-digit account id" }),
  region: z.string().regex(REGION_RE, { message: "expected a region name such as us-east-1" }),
  /** EventBridge Scheduler expression in UTC; default 02:30 every day (late log files have arrived by then). */
  expression: z.string().regex(/^(cron|rate)\(.+\)$/, { message: "expected cron(...) or rate(...)" }).default("cron(30 2 * * ? *)"),
});

/** Settings of a deployed scoring state machine (the `enabled: true` form of the config section). */
export const scoringSettingsSchema = z
  .strictObject({
    enabled: z.literal(true),
    /** The trail buckets the read function may read (the input's cloudtrail_bucket must be one of them). */
    cloudtrailBuckets: z.array(z.string().regex(BUCKET_NAME_RE, { message: "expected an S3 bucket name" })).min(1, { message: "name at least one trail bucket" }),
    /** The trail's S3 key prefix, if any. */
    keyPrefix: keyPrefixSchema,
    layout: scoringLayoutSchema.default({ type: "account" }),
    /** The key the trail encrypts log files with (SSE-KMS), if any: the read function needs kms:Decrypt on it. */
    logKmsKeyArn: z.string().regex(KMS_KEY_ARN, { message: "expected a KMS key ARN" }).optional(),
    scorer: scorerSchema.default({ type: "builtin" }),
    /** Alert above this score. Default 0.7 for the built-in scorer; required for a SageMaker model (its own scale). */
    threshold: z.number().finite().optional(),
    /** Preceding days the built-in scorer learns from. */
    historyDays: z.number().int().min(0).max(90).default(14),
    /** Fewer days with data than this and the built-in scorer judges nothing. */
    minHistoryDays: z.number().int().min(0).max(90).default(3),
    schedules: z.array(scheduleSchema).default([]),
    /** Batches of log files read at once by the Map state. */
    mapConcurrency: z.number().int().min(1).max(40).default(8),
    /** One read invocation reads at most this many files / megabytes (stored size). */
    batchMaxFiles: z.number().int().min(1).max(100_000).default(1000),
    batchMaxMb: z.number().int().min(1).max(10_240).default(256),
    readMemoryMb: z.number().int().min(256).max(10_240).default(2048),
    scoreMemoryMb: z.number().int().min(256).max(10_240).default(1024),
    /** Days a run's files (runs/<execution>/) are kept in the working bucket. */
    runRetentionDays: z.number().int().min(1).max(3650).default(30),
    /** Days cached pair counts of past days (history/) are kept; must exceed historyDays. */
    historyRetentionDays: z.number().int().min(2).max(3650).default(45),
    /** State machine log level: ERROR (failures only) or ALL (every state, with execution data). */
    logLevel: z.enum(["ERROR", "ALL"]).default("ERROR"),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.scorer?.type === "sagemaker" && cfg.threshold === undefined) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: "is required with a SageMaker scorer: the default 0.7 is calibrated for the built-in scorer, a model has its own scale" });
    }
    if (typeof cfg.historyRetentionDays === "number" && typeof cfg.historyDays === "number" && cfg.historyRetentionDays <= cfg.historyDays) {
      ctx.addIssue({ code: "custom", path: ["historyRetentionDays"], message: `must be more than historyDays (${cfg.historyDays}), or every run reads its whole history again` });
    }
    if (typeof cfg.minHistoryDays === "number" && typeof cfg.historyDays === "number" && cfg.scorer?.type !== "sagemaker" && cfg.minHistoryDays > cfg.historyDays) {
      ctx.addIssue({ code: "custom", path: ["minHistoryDays"], message: `is more than historyDays (${cfg.historyDays}): the built-in scorer would never judge anything` });
    }
    const seen = new Set<string>();
    (Array.isArray(cfg.schedules) ? cfg.schedules : []).forEach((s, i) => {
      const k = `${s?.account}/${s?.region}`;
      if (seen.has(k)) ctx.addIssue({ code: "custom", path: ["schedules", i], message: `account ${s.account} in ${s.region} is scheduled twice` });
      seen.add(k);
    });
  });

/**
 * The `scoring` section of the deployment config. `{ enabled: false }` deploys nothing and needs no
 * other field.
 */
export const scoringConfigSchema = z.discriminatedUnion("enabled", [z.looseObject({ enabled: z.literal(false) }), scoringSettingsSchema]);

export type ScoringConfig = z.infer<typeof scoringConfigSchema>;
/** A parsed, enabled scoring section: what the `Scoring` construct takes. */
export type ScoringSettings = z.infer<typeof scoringSettingsSchema>;
/** The same before defaults are applied (what a config file holds). */
export type ScoringSettingsInput = z.input<typeof scoringSettingsSchema>;

/** The threshold in force: the configured one, else the built-in scorer's default. */
export function effectiveThreshold(s: Pick<ScoringSettings, "threshold">): number {
  return s.threshold ?? DEFAULT_INSIGHT_THRESHOLD;
}
