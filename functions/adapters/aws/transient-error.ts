import { isTransientAwsError as isTransientSdkError } from "./aws-error";

/**
 * A failure worth retrying later (throttling, a 5xx, a dropped connection) that the SDK's own
 * retries did not get past. Its name is what a Step Functions `Retry` matches on: a Lambda that
 * throws it fails with error `TransientError`, and the state machine retries the step with backoff,
 * while every other error is caught and reported at once.
 */
export class TransientError extends Error {
  override name = "TransientError";
}

/** What is left of a network error the SDK wrapped without recognising it ("AWS SDK error wrapper for TimeoutError: socket hang up"). */
const NETWORK_MESSAGE = /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|TimeoutError/;

/**
 * True for an AWS SDK (or network) error that may succeed when tried again later: the project's
 * classification (`aws-error.ts`), plus network errors the SDK wrapped into a plain Error whose
 * message is all that is left (it does so for errors from another realm, e.g. under jest).
 */
export function isTransientAwsError(e: unknown): boolean {
  return isTransientSdkError(e) || (!!e && typeof e === "object" && NETWORK_MESSAGE.test((e as { message?: string }).message ?? ""));
}

/** `e` as a {@link TransientError} (keeping its message and cause) when it is transient, else as it is, with what was being done. */
export function classifyAwsError(e: unknown, doing: string): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (isTransientAwsError(e)) return new TransientError(`${doing}: ${err.name}: ${err.message}`, { cause: e });
  err.message = `${doing}: ${err.message}`;
  return err;
}
