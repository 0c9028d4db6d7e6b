import * as z from "zod";
import { MAX_ITEMS_PER_BATCH } from "../../functions/core/hunt/batch";
import { BUCKET_NAME, KMS_KEY_ARN, keyPrefixSchema, logLayoutSchema } from "../platform/config-fields";

/**
 * Settings of a deployed retro-hunt (the `enabled: true` form of the `retroHunt` config section).
 * The bucket, key prefix, layout, the trail's key and the rule settings are inherited from the top
 * level of the config.
 */
export const retroHuntSettingsSchema = z.strictObject({
  enabled: z.literal(true),
  /** The trail bucket a hunt reads. */
  bucketName: z.string().regex(BUCKET_NAME, { message: "expected an S3 bucket name" }),
  keyPrefix: keyPrefixSchema,
  layout: logLayoutSchema.default({ type: "account" }),
  /** The key the trail encrypts log files with (SSE-KMS), if any: the scan function needs kms:Decrypt on it. */
  logKmsKeyArn: z.string().regex(KMS_KEY_ARN, { message: "expected a KMS key ARN" }).optional(),
  /** Per-rule settings (the top level's `ruleSettings`), as the log analyzer uses them. */
  ruleSettings: z.record(z.string(), z.unknown()).default({}),
  /**
   * Batches scanned at once: Lambda invocations in flight (each reads `readConcurrency` objects at a
   * time), so Lambda concurrency and S3 request rates stay within the account's limits.
   */
  maxConcurrency: z.number().int().min(1).max(1000).default(10),
  /** Log files per batch (one scan invocation). */
  itemsPerBatch: z.number().int().min(1).max(MAX_ITEMS_PER_BATCH).default(200),
  /** Share of batches that may fail (after retries) before the hunt fails; the summary names each one. */
  toleratedFailurePercentage: z.number().int().min(0).max(100).default(5),
  /** GetObject requests in flight per scan invocation. */
  readConcurrency: z.number().int().min(1).max(64).default(8),
  scanMemoryMb: z.number().int().min(256).max(10_240).default(2048),
  /** Longest window a hunt may cover. */
  maxWindowDays: z.number().int().min(1).max(3660).default(400),
  /** Days a hunt's files (manifest, results, alerts, summary) are kept in the results bucket. */
  resultRetentionDays: z.number().int().min(1).max(3650).default(30),
  /**
   * Whether a hunt may also publish its alerts to the alert topic (when its input asks for it). They
   * carry `retroHunt`, and e-mail subscriptions leave them out unless `sinks.emailRetroHunt` is true.
   */
  publishAlerts: z.boolean().default(false),
  /** Longest execution. */
  executionTimeoutHours: z.number().int().min(1).max(168).default(24),
  /** State machine log level: ERROR (failures only) or ALL (every state, with execution data). */
  logLevel: z.enum(["ERROR", "ALL"]).default("ERROR"),
});

/** The `retroHunt` section: `{ enabled: false }` deploys nothing and needs no other field. */
export const retroHuntConfigSchema = z.discriminatedUnion("enabled", [z.looseObject({ enabled: z.literal(false) }), retroHuntSettingsSchema]);

export type RetroHuntConfig = z.infer<typeof retroHuntConfigSchema>;
/** A parsed, enabled retroHunt section: what the `RetroHunt` construct takes. */
export type RetroHuntSettings = z.infer<typeof retroHuntSettingsSchema>;
export type RetroHuntSettingsInput = z.input<typeof retroHuntSettingsSchema>;
