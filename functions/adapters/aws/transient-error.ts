/**
 * A failure worth retrying later (throttling, a 5xx, a dropped connection) that the SDK's own
 * retries did not get past. Its name is what a Step Functions `Retry` matches on: a Lambda that
 * throws it fails with error `TransientError`, and the state machine retries the step with backoff,
 * while every other error is caught and reported at once.
 */
export class TransientError extends Error {
  override name = "TransientError";
}

const TRANSIENT_NAMES = new Set([
  "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown",
  "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure", "InternalServerError",
  "RequestTimeout", "RequestTimeoutException", "ModelNotReadyException", "TimeoutError",
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN",
]);

/** True for an AWS SDK (or network) error that may succeed when tried again later. */
export function isTransientAwsError(e: unknown): boolean {
  if (!e || typeof e !== "object") return false;
  const err = e as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (err.$retryable) return true;
  if (err.name && TRANSIENT_NAMES.has(err.name)) return true;
  if (err.code && TRANSIENT_NAMES.has(err.code)) return true;
  const status = err.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  // The SDK wraps errors it cannot recognise (e.g. from another realm) into a plain Error whose
  // message is all that is left: "AWS SDK error wrapper for TimeoutError: socket hang up".
  return NETWORK_MESSAGE.test((e as { message?: string }).message ?? "");
}

const NETWORK_MESSAGE = /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|TimeoutError/;

/** Rethrows `e` as a {@link TransientError} (keeping its message and cause) when it is transient, else as it is. */
export function classifyAwsError(e: unknown, doing: string): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (isTransientAwsError(e)) return new TransientError(`${doing}: ${err.name}: ${err.message}`, { cause: e });
  err.message = `${doing}: ${err.message}`;
  return err;
}
