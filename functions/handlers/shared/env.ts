import * as z from "../../core/zod";

/** The environment of a function is wrong; the message lists every bad variable and what was expected. */
export class EnvError extends Error {
  override name = "EnvError";
}

type Env = Record<string, string | undefined>;

/**
 * A variable that holds JSON, validated by `schema` after parsing. Absent or blank counts as
 * undefined, so `z.optional()` and `z._default()` of the result work as for plain strings.
 * `expected` is shown when the text is not JSON, e.g. `a JSON object such as {"rule.id": "apply"}`.
 */
export function jsonVar<T extends z.core.$ZodType>(schema: T, expected: string) {
  return z.pipe(
    z.transform((v: unknown, ctx) => {
      if (v === undefined || (typeof v === "string" && v.trim() === "")) return undefined;
      if (typeof v !== "string") return v;
      try {
        return JSON.parse(v) as unknown;
      } catch (e) {
        return z.transformIssue(ctx, `is not valid JSON (${(e as Error).message}); expected ${expected}`);
      }
    }),
    schema,
  );
}

/**
 * Validates a function's environment against a zod object schema (keys are variable names).
 * Throws {@link EnvError} naming the function and every offending variable, e.g.
 * `log-analyzer: invalid environment: ALERT_TOPIC_ARN: required; REMEDIATION.foo: ...`.
 */
export function parseEnv<S extends z.ZodMiniObject>(service: string, schema: S, env: Env = process.env): z.output<S> {
  const res = schema.safeParse(env);
  if (res.success) return res.data;
  const problems = res.error.issues.map((i) => {
    const where = i.path.map(String).join(".") || "(environment)";
    const missing = i.code === "invalid_type" && i.path.length === 1 && env[String(i.path[0])] === undefined;
    return `${where}: ${missing ? "is required but not set" : i.message}`;
  });
  throw new EnvError(`${service}: invalid environment: ${problems.join("; ")}`);
}

/** An ARN of the given service and resource type, e.g. `arnVar("sns")` for a topic. */
export function arnVar(service: string, example: string) {
  return z.string().check(z.trim(), z.regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN such as ${example}`));
}

/** An optional SQS queue URL (blank counts as unset); loopback URLs are accepted for local runs and tests. */
export function queueUrlVar(example: string) {
  return z.pipe(
    z.transform((v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v)),
    z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.regex(/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[A-Za-z0-9_-]{1,80}$|^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//, `must be an SQS queue URL such as ${example}`),
        ),
    ),
  );
}

/** A DynamoDB table name. */
export function tableVar() {
  return z.string().check(z.trim(), z.regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)"));
}

/** Blank (unset, empty or only spaces) counts as unset, as it does for every optional variable. */
const isBlank = (v: unknown) => v === undefined || (typeof v === "string" && v.trim() === "");

/**
 * A variable that must be set. Unset or blank fails with `is not set; expected <expected>`, which
 * says what to put there (parseEnv's generic "is required but not set" does not); otherwise the
 * value goes on to `schema`. E.g. `requiredVar(arnVar("sns", example), "an SNS topic ARN such as ...")`.
 */
export function requiredVar<T extends z.core.$ZodType>(schema: T, expected: string) {
  return z.pipe(
    z.transform((v: unknown, ctx) => (isBlank(v) ? z.transformIssue(ctx, `is not set; expected ${expected}`) : v)),
    schema,
  );
}

/** Optional free text, trimmed; blank gives `fallback` (undefined without one). */
export function textVar<F extends string | undefined = undefined>(fallback?: F) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((v): string | F => v?.trim() || (fallback as F)),
  );
}

/**
 * An optional integer from `min` to `max`; blank gives `fallback`. The value is read with `Number`
 * after trimming, so `"60"` and `" 60 "` are 60 and `"60.5"`, `"1h"` are refused, with the bound
 * and an example in the message.
 */
export function intVar(fallback: number, min: number, max: number) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx): number => {
      if (isBlank(v)) return fallback;
      const text = v!.trim();
      const n = Number(text);
      if (Number.isInteger(n) && n >= min && n <= max) return n;
      return z.transformIssue(ctx, `must be an integer from ${min} to ${max}, e.g. ${fallback} (the default when unset); got "${text}"`);
    }),
  );
}
