import * as z from "../../core/zod";
import { BUCKET_NAME, ORGANIZATION_ID, SNS_TOPIC_ARN } from "../../core/aws/identifiers";
import { SAGEMAKER_COLUMNS } from "../../adapters/aws/sagemaker-scorer";
import { queueUrlVar } from "../shared/env";

/** A deployment mistake in a function's environment; says which variable and what it should be. */
export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

const int = (name: string, min: number, max: number, fallback: number) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx): number => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) return z.transformIssue(ctx, `${name} must be an integer from ${min} to ${max} (got "${v}")`);
      return n;
    }),
  );

const bucket = (name: string) => z.string({ error: `${name} is required (an S3 bucket name)` }).check(z.regex(BUCKET_NAME, `${name} is not an S3 bucket name`));

/** Environment of the read function. */
export const readEnvSchema = z.object({
  WORK_BUCKET: bucket("WORK_BUCKET"),
  /** Comma-separated trail buckets this deployment may read (its IAM policy allows exactly these). */
  CLOUDTRAIL_BUCKETS: z
    .pipe(
      z.string({ error: "CLOUDTRAIL_BUCKETS is required (comma-separated bucket names the function may read)" }),
      z.transform((v: string) => v.split(",").map((s) => s.trim()).filter(Boolean)),
    )
    .check(z.refine((l) => l.length > 0 && l.every((b) => BUCKET_NAME.test(b)), "CLOUDTRAIL_BUCKETS must list S3 bucket names, comma-separated")),
  ORGANIZATION_ID: z.union([
    z.optional(z.string().check(z.regex(ORGANIZATION_ID, "ORGANIZATION_ID must look like o-abcd123456"))),
    z.pipe(z.literal(""), z.transform(() => undefined)),
  ]),
  LOG_PREFIX: z.optional(z.string()),
  HISTORY_DAYS: int("HISTORY_DAYS", 0, 90, 14),
  BATCH_MAX_FILES: int("BATCH_MAX_FILES", 1, 100_000, 1000),
  BATCH_MAX_MB: int("BATCH_MAX_MB", 1, 10_240, 256),
  READ_CONCURRENCY: int("READ_CONCURRENCY", 1, 128, 16),
  /** A day counts as complete (and is cached as history) this many hours after it ends. */
  COMPLETE_AFTER_HOURS: int("COMPLETE_AFTER_HOURS", 0, 72, 2),
});
export type ReadEnv = z.output<typeof readEnvSchema>;

/** Environment of the score function. */
export const scoreEnvSchema = z
  .object({
    WORK_BUCKET: bucket("WORK_BUCKET"),
    SCORER: z._default(z.enum(["builtin", "sagemaker"], { error: 'SCORER must be "builtin" or "sagemaker"' }), "builtin"),
    SAGEMAKER_ENDPOINT: z.optional(z.string().check(z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, "SAGEMAKER_ENDPOINT is not a SageMaker endpoint name"))),
    SAGEMAKER_COLUMNS: z.pipe(
      z.optional(z.string()),
      z.transform((v, ctx) => {
        if (!v) return undefined;
        const cols = v.split(",").map((s) => s.trim());
        const bad = cols.filter((c) => !(SAGEMAKER_COLUMNS as readonly string[]).includes(c));
        if (bad.length) return z.transformIssue(ctx, `SAGEMAKER_COLUMNS has unknown column(s) ${bad.join(", ")}; use ${SAGEMAKER_COLUMNS.join(", ")}`);
        return cols as (typeof SAGEMAKER_COLUMNS)[number][];
      }),
    ),
    SAGEMAKER_MAX_ROWS: int("SAGEMAKER_MAX_ROWS", 1, 100_000, 500),
    MIN_HISTORY_DAYS: int("MIN_HISTORY_DAYS", 0, 90, 3),
  })
  .check(z.refine((e) => e.SCORER !== "sagemaker" || !!e.SAGEMAKER_ENDPOINT, { message: "SAGEMAKER_ENDPOINT is required when SCORER is sagemaker", path: ["SAGEMAKER_ENDPOINT"] }));
export type ScoreEnv = z.output<typeof scoreEnvSchema>;

/** Environment of the alert function. */
export const alertEnvSchema = z.object({
  WORK_BUCKET: bucket("WORK_BUCKET"),
  ALERT_TOPIC_ARN: z
    .string({ error: "ALERT_TOPIC_ARN is required (the alert SNS topic)" })
    .check(z.regex(SNS_TOPIC_ARN, "ALERT_TOPIC_ARN is not an SNS topic ARN")),
  /** Where an alert SNS refuses for good goes, so the run's other alerts (and its summary) still go out. */
  UNDELIVERABLE_QUEUE_URL: queueUrlVar("https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-undeliverable-alerts"),
  INSIGHT_THRESHOLD: z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) return z.transformIssue(ctx, `INSIGHT_THRESHOLD must be a number such as 0.7 (got "${v}")`);
      return n;
    }),
  ),
});
export type AlertEnv = z.output<typeof alertEnvSchema>;

/** Validates an environment; every problem in one message. */
export function parseEnv<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv, fn: string): z.output<S> {
  const res = schema.safeParse(env);
  if (res.success) return res.data;
  throw new ConfigurationError(`${fn} function environment: ${res.error.issues.map((i) => i.message).join("; ")}`);
}
