/**
 * The scoring functions' environments, read with the shared framework (`../shared/env`): `parseEnv`
 * throws `EnvError` naming the function and every bad variable.
 */
import * as z from "../../core/zod";
import { BUCKET_NAME, ORGANIZATION_ID, SNS_TOPIC_ARN } from "../../core/aws/identifiers";
import { SAGEMAKER_COLUMNS } from "../../adapters/aws/sagemaker-scorer";
import { intVar, queueUrlVar, requiredVar } from "../shared/env";

const bucket = (what: string) => requiredVar(z.string().check(z.trim(), z.regex(BUCKET_NAME, "is not an S3 bucket name")), what);

/** Environment of the read function. */
export const readEnvSchema = z.object({
  WORK_BUCKET: bucket("the scoring work bucket"),
  /** Comma-separated trail buckets this deployment may read (its IAM policy allows exactly these). */
  CLOUDTRAIL_BUCKETS: requiredVar(
    z
      .pipe(
        z.string(),
        z.transform((v: string) => v.split(",").map((s) => s.trim()).filter(Boolean)),
      )
      .check(z.refine((l) => l.length > 0 && l.every((b) => BUCKET_NAME.test(b)), "must list S3 bucket names, comma-separated")),
    "comma-separated bucket names the function may read",
  ),
  ORGANIZATION_ID: z.pipe(
    z.transform((v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v)),
    z.optional(z.string().check(z.trim(), z.regex(ORGANIZATION_ID, "must look like o-abcd123456"))),
  ),
  LOG_PREFIX: z.optional(z.string()),
  HISTORY_DAYS: intVar(14, 0, 90),
  BATCH_MAX_FILES: intVar(1000, 1, 100_000),
  BATCH_MAX_MB: intVar(256, 1, 10_240),
  READ_CONCURRENCY: intVar(16, 1, 128),
  /** A day counts as complete (and is cached as history) this many hours after it ends. */
  COMPLETE_AFTER_HOURS: intVar(2, 0, 72),
});
export type ReadEnv = z.output<typeof readEnvSchema>;

/** Environment of the score function. */
export const scoreEnvSchema = z
  .object({
    WORK_BUCKET: bucket("the scoring work bucket"),
    SCORER: z._default(z.enum(["builtin", "sagemaker"], { error: 'must be "builtin" or "sagemaker"' }), "builtin"),
    SAGEMAKER_ENDPOINT: z.optional(z.string().check(z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, "is not a SageMaker endpoint name"))),
    SAGEMAKER_COLUMNS: z.pipe(
      z.optional(z.string()),
      z.transform((v, ctx) => {
        if (!v) return undefined;
        const cols = v.split(",").map((s) => s.trim());
        const bad = cols.filter((c) => !(SAGEMAKER_COLUMNS as readonly string[]).includes(c));
        if (bad.length) return z.transformIssue(ctx, `has unknown column(s) ${bad.join(", ")}; use ${SAGEMAKER_COLUMNS.join(", ")}`);
        return cols as (typeof SAGEMAKER_COLUMNS)[number][];
      }),
    ),
    SAGEMAKER_MAX_ROWS: intVar(500, 1, 100_000),
    MIN_HISTORY_DAYS: intVar(3, 0, 90),
  })
  .check(z.refine((e) => e.SCORER !== "sagemaker" || !!e.SAGEMAKER_ENDPOINT, { message: "is required when SCORER is sagemaker", path: ["SAGEMAKER_ENDPOINT"] }));
export type ScoreEnv = z.output<typeof scoreEnvSchema>;

/** Environment of the alert function. */
export const alertEnvSchema = z.object({
  WORK_BUCKET: bucket("the scoring work bucket"),
  ALERT_TOPIC_ARN: requiredVar(
    z.string().check(z.trim(), z.regex(SNS_TOPIC_ARN, "is not an SNS topic ARN")),
    "the alert SNS topic's ARN, e.g. arn:aws:sns:us-east-1:111122223333:trailwatch-alerts",
  ),
  /** Where an alert SNS refuses for good goes, so the run's other alerts (and its summary) still go out. */
  UNDELIVERABLE_QUEUE_URL: queueUrlVar("https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-undeliverable-alerts"),
  INSIGHT_THRESHOLD: z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) return z.transformIssue(ctx, `must be a number such as 0.7 (got "${v}")`);
      return n;
    }),
  ),
});
export type AlertEnv = z.output<typeof alertEnvSchema>;
