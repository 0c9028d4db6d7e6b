import { hecEventUrl } from "../../adapters/aws/hec/client";
import { secretRefFrom, type SecretRef } from "../../adapters/aws/secret-reference";

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

/** Bad configuration: the message names the variable and what is expected. */
export class ForwarderConfigError extends Error {
  override name = "ForwarderConfigError";
}

function int(env: Record<string, string | undefined>, name: string, def: number, min: number, max: number): number {
  const v = env[name]?.trim();
  if (!v) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ForwarderConfigError(`${name} is "${v}"; expected an integer from ${min} to ${max}`);
  return n;
}

/**
 * Reads HEC_ENDPOINT, HEC_TOKEN_SECRET_ARN | HEC_TOKEN_PARAMETER_NAME, HEC_INDEX, HEC_SOURCETYPE,
 * HEC_SOURCE, HEC_DLQ_URL and the optional tuning HEC_REQUEST_TIMEOUT_MS, HEC_MAX_BATCH_BYTES,
 * HEC_TOKEN_MAX_AGE_SECONDS.
 */
export function hecForwarderConfig(env: Record<string, string | undefined>): HecForwarderConfig {
  const endpoint = env.HEC_ENDPOINT?.trim();
  if (!endpoint) throw new ForwarderConfigError("HEC_ENDPOINT is not set; expected the HEC base URL, e.g. https://splunk.example.com:8088");
  try {
    hecEventUrl(endpoint);
  } catch (err) {
    throw new ForwarderConfigError(`HEC_ENDPOINT: ${(err as Error).message}`);
  }
  let token: SecretRef;
  try {
    token = secretRefFrom(env.HEC_TOKEN_SECRET_ARN, env.HEC_TOKEN_PARAMETER_NAME, { secret: "HEC_TOKEN_SECRET_ARN", parameter: "HEC_TOKEN_PARAMETER_NAME" });
  } catch (err) {
    throw new ForwarderConfigError((err as Error).message);
  }
  const dlqUrl = env.HEC_DLQ_URL?.trim() || undefined;
  if (dlqUrl && !/^https:\/\/sqs\.|^https?:\/\/(127\.0\.0\.1|localhost)/.test(dlqUrl)) {
    throw new ForwarderConfigError(`HEC_DLQ_URL is "${dlqUrl}"; expected an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/111122223333/hec-rejected`);
  }
  return {
    endpoint,
    token,
    index: env.HEC_INDEX?.trim() || undefined,
    sourcetype: env.HEC_SOURCETYPE?.trim() || "trailwatch:alert",
    source: env.HEC_SOURCE?.trim() || "trailwatch",
    dlqUrl,
    requestTimeoutMs: int(env, "HEC_REQUEST_TIMEOUT_MS", 10_000, 100, 120_000),
    maxBatchBytes: int(env, "HEC_MAX_BATCH_BYTES", 512 * 1024, 1024, 100 * 1024 * 1024),
    tokenMaxAgeSeconds: int(env, "HEC_TOKEN_MAX_AGE_SECONDS", 300, 0, 86_400),
  };
}
