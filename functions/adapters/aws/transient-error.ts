import { isTransientAwsError } from "./aws-error";

/**
 * A failure worth retrying later (throttling, a 5xx, a dropped connection) that the SDK's own
 * retries did not get past. Its name is what a Step Functions `Retry` matches on: a Lambda that
 * throws it fails with error `TransientError`, and the state machine retries the step with backoff,
 * while every other error is caught and reported at once.
 */
export class TransientError extends Error {
  override name = "TransientError";
}

/** `e` as a {@link TransientError} (keeping its message and cause) when it is transient, else as it is, with what was being done. */
export function classifyAwsError(e: unknown, doing: string): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (isTransientAwsError(e)) return new TransientError(`${doing}: ${err.name}: ${err.message}`, { cause: e });
  err.message = `${doing}: ${err.message}`;
  return err;
}
