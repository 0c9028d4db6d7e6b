import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";

/**
 * Error names some services (and hand-built errors from mocks) use for a server-side failure without
 * an HTTP status the SDK's classification could read; modeled ones carry `$fault: "server"` too.
 */
const SERVER_FAULT_NAMES = new Set([
  "ServiceUnavailable", "ServiceUnavailableException", "Unavailable",
  "InternalError", "InternalFailure", "InternalServerError", "InternalServerException",
]);

/** Throttling names the SDK's list leaves out (SNS's KMS and `Throttled`). */
const EXTRA_THROTTLING_NAMES = new Set(["Throttled", "KMSThrottlingException"]);

/**
 * What is left of a network error the SDK wrapped without recognising it ("AWS SDK error wrapper for
 * TimeoutError: socket hang up"): it does so for errors from another realm, e.g. under jest.
 */
const NETWORK_MESSAGE = /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|TimeoutError/;

/** The parts of an AWS SDK v3 error this project looks at (the SDK's classifiers take the same). */
interface SdkErrorShape {
  name: string;
  message: string;
  code?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
}

/** `e` as an SDK error when it is an object (the SDK's classifiers read missing fields as absent). */
function shape(e: unknown): SdkErrorShape | undefined {
  return e && typeof e === "object" ? (e as SdkErrorShape) : undefined;
}

/** Node socket error names a wrapped network failure may carry as its name rather than its code. */
const NETWORK_NAMES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/**
 * True for throttling (the SDK's own list and 429, plus the names it leaves out): worth another try
 * after a longer pause. Used where only throttling is worth retrying (Organizations, Athena starts).
 */
export function isThrottlingAwsError(e: unknown): boolean {
  const err = shape(e);
  if (!err) return false;
  return isThrottlingError(err) || EXTRA_THROTTLING_NAMES.has(err.name) || (!!err.code && EXTRA_THROTTLING_NAMES.has(err.code));
}

/**
 * The one classification of "may succeed when tried again later" in trailwatch: the SDK's own
 * (`@smithy/core/retry`: throttling, transient network and timeout errors, 5xx, a clock skew the SDK
 * corrected, the `$retryable` trait), a modeled server fault, a few server-fault names the SDK's list
 * leaves out, and network errors the SDK wrapped into a plain Error. Permission, validation and
 * not-found errors are not transient. A clock-skew error is transient only once the SDK corrected
 * its clock (`clockSkewCorrected`), as the SDK itself decides.
 */
export function isTransientAwsError(e: unknown): boolean {
  const err = shape(e);
  if (!err) return false;
  if (isThrottlingAwsError(err) || isTransientError(err) || isServerError(err)) return true;
  if (err.$fault === "server" || SERVER_FAULT_NAMES.has(err.name) || (!!err.code && SERVER_FAULT_NAMES.has(err.code))) return true;
  if (NETWORK_NAMES.has(err.name)) return true;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return NETWORK_MESSAGE.test(typeof err.message === "string" ? err.message : "");
}

/** The error's name (e.g. `NoSuchKey`), or "Error". */
export function awsErrorName(e: unknown): string {
  const err = e as { name?: string; code?: string } | undefined;
  return err?.name ?? err?.code ?? "Error";
}
