import * as z from "../../core/zod";
import { hecEventUrl } from "../../adapters/aws/hec/client";
import { secretRefFrom, type SecretRef } from "../../adapters/aws/secret-reference";
import { intVar, parseEnv, requiredVar, textVar } from "../shared/env";

/** The forwarder's settings, from its environment. */
export interface HecForwarderConfig {
  /** Base URL as given (HEC_ENDPOINT); the client adds `/services/collector/event`. */
  endpoint: string;
  token: SecretRef;
  index?: string;
  sourcetype: string;
  source: string;
  /** Queue for permanent failures; without it they stay on the source queue (its redrive DLQ). */
  dlqUrl?: string;
  requestTimeoutMs: number;
  maxBatchBytes: number;
  tokenMaxAgeSeconds: number;
}

const ENDPOINT_EXAMPLE = "https://splunk.example.com:8088";
const TOKEN_VARS = { secret: "HEC_TOKEN_SECRET_ARN", parameter: "HEC_TOKEN_PARAMETER_NAME" } as const;
const TOKEN_EXAMPLE =
  "e.g. HEC_TOKEN_SECRET_ARN=arn:aws:secretsmanager:us-east-1:111122223333:secret:trailwatch/hec-AbCdEf or HEC_TOKEN_PARAMETER_NAME=/trailwatch/hec-token";

const envSchema = z
  .object({
    HEC_ENDPOINT: requiredVar(
      z.pipe(
        z.string().check(z.trim()),
        z.transform((url: string, ctx) => {
          try {
            hecEventUrl(url);
            return url;
          } catch (err) {
            // hecEventUrl's own words: not a URL, not https, credentials or a query in it.
            const why = (err as Error).message;
            return z.transformIssue(ctx, /e\.g\./.test(why) ? why : `${why}; expected the HEC base URL, e.g. ${ENDPOINT_EXAMPLE}`);
          }
        }),
      ),
      `the HEC base URL, e.g. ${ENDPOINT_EXAMPLE}`,
    ),
    /** Exactly one of the two token references (checked below, with both in view). */
    HEC_TOKEN_SECRET_ARN: z.optional(z.string()),
    HEC_TOKEN_PARAMETER_NAME: z.optional(z.string()),
    /** Unset: the token's default index. */
    HEC_INDEX: textVar(),
    HEC_SOURCETYPE: textVar("trailwatch:alert"),
    HEC_SOURCE: textVar("trailwatch"),
    HEC_DLQ_URL: z.pipe(
      z.transform((v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v)),
      z.optional(
        z.string().check(z.trim(), z.regex(/^https:\/\/sqs\.|^https?:\/\/(127\.0\.0\.1|localhost)/, "must be an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/111122223333/hec-rejected")),
      ),
    ),
    HEC_REQUEST_TIMEOUT_MS: intVar(10_000, 100, 120_000),
    HEC_MAX_BATCH_BYTES: intVar(512 * 1024, 1024, 100 * 1024 * 1024),
    /** How long the token is cached; a rotated token is picked up within this time. */
    HEC_TOKEN_MAX_AGE_SECONDS: intVar(300, 0, 86_400),
  })
  .check(
    z.superRefine(
      (e, ctx) => {
        try {
          secretRefFrom(e.HEC_TOKEN_SECRET_ARN, e.HEC_TOKEN_PARAMETER_NAME, TOKEN_VARS);
        } catch (err) {
          ctx.addIssue({ code: "custom", path: [TOKEN_VARS.secret], message: `${(err as Error).message}; ${TOKEN_EXAMPLE}` });
        }
      },
      // Also when other variables are wrong, so every problem is named at once.
      { when: () => true },
    ),
  );

/**
 * Reads and validates HEC_ENDPOINT, HEC_TOKEN_SECRET_ARN | HEC_TOKEN_PARAMETER_NAME (exactly one),
 * HEC_INDEX, HEC_SOURCETYPE, HEC_SOURCE, HEC_DLQ_URL and the optional tuning HEC_REQUEST_TIMEOUT_MS
 * (100..120000, default 10000), HEC_MAX_BATCH_BYTES (1 KiB..100 MiB, default 512 KiB) and
 * HEC_TOKEN_MAX_AGE_SECONDS (0..86400, default 300). Throws `EnvError` naming every bad variable at once.
 */
export function hecForwarderConfig(env: Record<string, string | undefined>): HecForwarderConfig {
  const e = parseEnv("hec-forwarder", envSchema, env);
  return {
    endpoint: e.HEC_ENDPOINT,
    token: secretRefFrom(e.HEC_TOKEN_SECRET_ARN, e.HEC_TOKEN_PARAMETER_NAME, TOKEN_VARS),
    index: e.HEC_INDEX,
    sourcetype: e.HEC_SOURCETYPE,
    source: e.HEC_SOURCE,
    dlqUrl: e.HEC_DLQ_URL,
    requestTimeoutMs: e.HEC_REQUEST_TIMEOUT_MS,
    maxBatchBytes: e.HEC_MAX_BATCH_BYTES,
    tokenMaxAgeSeconds: e.HEC_TOKEN_MAX_AGE_SECONDS,
  };
}
