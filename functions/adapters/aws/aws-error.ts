/** Error names AWS services (and Node's sockets) use for "try again later". */
const TRANSIENT = new Set([
  "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
  "ProvisionedThroughputExceededException", "RequestThrottled", "RequestThrottledException", "SlowDown",
  "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure", "InternalServerError",
  "InternalServerException", "RequestTimeout", "RequestTimeoutException", "TimeoutError", "Unavailable",
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN",
]);

/** The parts of an AWS SDK v3 error this project looks at. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: "client" | "server";
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * True for a failure that may succeed when tried again later: throttling, a 5xx, a dropped or timed
 * out connection. The SDK has already retried these a few times; what is left is retried by the
 * caller's queue (SQS redelivery), not in a loop here.
 */
export function isTransientAwsError(e: unknown): boolean {
  if (!e || typeof e !== "object") return false;
  const err = e as SdkErrorShape;
  if (err.$retryable) return true;
  if ((err.name && TRANSIENT.has(err.name)) || (err.code && TRANSIENT.has(err.code))) return true;
  if (err.$fault === "server") return true;
  const status = err.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

/** The error's name (e.g. `NoSuchKey`), or "Error". */
export function awsErrorName(e: unknown): string {
  const err = e as SdkErrorShape | undefined;
  return err?.name ?? err?.code ?? "Error";
}
