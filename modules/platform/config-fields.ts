import * as z from "zod";
import { DEFAULT_MAX_EVENT_AGE_MINUTES, MAX_EVENT_AGE_MINUTES_RANGE } from "../../functions/core/remediation/event-checks";
import { arnPatternProblem } from "../../functions/core/remediation/protected-targets";

/**
 * Config fields every capability that reads CloudTrail logs shares (bucket, key prefix, layout, the
 * trail's KMS key), defined once so their rules and messages cannot drift apart.
 */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const KMS_KEY_ARN = /^arn:(aws|aws-us-gov|aws-cn|aws-iso[a-z-]*):kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** CloudTrail's key layout in the bucket. */
export const logLayoutSchema = z.discriminatedUnion("type", [
  /** `<prefix>AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/...` */
  z.strictObject({ type: z.literal("account") }),
  /** `<prefix>AWSLogs/<org-id>/<account>/CloudTrail/...` (organization trail) */
  z.strictObject({
    type: z.literal("organization"),
    organizationId: z.string().regex(ORGANIZATION_ID, { message: "expected an Organization id such as o-a1b2c3d4e5" }),
  }),
]);

/** The trail's S3 key prefix (`S3KeyPrefix`) as written; empty when none. */
export const keyPrefixSchema = z.string().regex(/^$|^[^/].*$/, { message: "must not start with '/'" }).default("");

/** The key prefix with a trailing slash when not empty, ready to put before `AWSLogs/`. */
export const normalizedKeyPrefixSchema = keyPrefixSchema.transform((p) => (p === "" || p.endsWith("/") ? p : `${p}/`));

/**
 * The safety checks of every remediation (top-level `remediationSafety`, inherited by the log
 * analyzer and the trail guard): events older than `maxEventAgeMinutes` are never remediated, and
 * targets matching `protectedTargets` (ARN patterns, `*` and `?` as wildcards) are never changed,
 * besides the built-in ones (`DEFAULT_PROTECTED_TARGETS`) and trailwatch's own roles.
 */
export const remediationSafetySchema = z
  .strictObject({
    maxEventAgeMinutes: z
      .number()
      .int()
      .min(MAX_EVENT_AGE_MINUTES_RANGE.min, { message: `expected at least ${MAX_EVENT_AGE_MINUTES_RANGE.min} minutes` })
      .max(MAX_EVENT_AGE_MINUTES_RANGE.max, { message: `expected at most ${MAX_EVENT_AGE_MINUTES_RANGE.max} minutes (7 days)` })
      .default(DEFAULT_MAX_EVENT_AGE_MINUTES),
    protectedTargets: z
      .array(
        z.string().superRefine((p, ctx) => {
          const problem = arnPatternProblem(p);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
      )
      .max(50, { message: "at most 50 patterns (they travel in the remediator's 4 KB environment)" })
      .default([]),
  })
  .default({ maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES, protectedTargets: [] });
export type RemediationSafety = z.output<typeof remediationSafetySchema>;
