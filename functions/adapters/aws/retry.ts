import { isTransientAwsError } from "./aws-error";

/** How long to wait between attempts: exponential backoff with full jitter, capped. */
export interface Backoff {
  /** First step in ms: the n-th retry waits a random time up to `baseMs * 2^n` (default 100). */
  baseMs?: number;
  /** Cap of one wait in ms (default 20 s). */
  maxMs?: number;
  /** Waits `ms` (tests pass a recorder). */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) (tests pass a constant). */
  random?: () => number;
}

/** Options of {@link withRetries}. */
export interface RetryOptions extends Backoff {
  /** Attempts, the first included (at least 1). */
  maxAttempts: number;
  /** Whether a failure is worth another attempt (default {@link isTransientAwsError}). */
  retryable?: (e: unknown) => boolean;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The wait before retry number `attempt` (1 for the first retry): a random time in
 * `[0, min(maxMs, baseMs * 2^attempt))`, the "full jitter" of the AWS SDKs, so callers that failed
 * together do not come back together.
 */
export function backoffDelay(attempt: number, b: Backoff = {}): number {
  const ceiling = Math.min(b.maxMs ?? 20_000, (b.baseMs ?? 100) * 2 ** attempt);
  return Math.floor((b.random ?? Math.random)() * ceiling);
}

/** Sleeps the {@link backoffDelay} of `attempt`. */
function backOff(attempt: number, b: Backoff = {}): Promise<void> {
  return (b.sleep ?? wait)(backoffDelay(attempt, b));
}

/**
 * Runs `call` until it succeeds, fails with an error that is not `retryable`, or `maxAttempts`
 * attempts are spent, backing off between attempts; throws the last error. `call` is told which
 * attempt it is (1 for the first). For calls whose retries the SDK cannot do itself: a whole
 * operation a caller wants to count or log, or a client built with one attempt per call.
 */
export async function withRetries<T>(call: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const retryable = o.retryable ?? isTransientAwsError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (e) {
      if (attempt >= o.maxAttempts || !retryable(e)) throw e;
      await backOff(attempt, o);
    }
  }
}

/**
 * Sends a batch and retries the entries the service reported as failed for a transient reason
 * (SNS PublishBatch, SQS SendMessageBatch, Security Hub BatchImportFindings, DynamoDB unprocessed
 * items), with backoff between rounds. `send` gets the pending entries, the attempt number and
 * whether it is the last one, and answers the entries to try again (on the last attempt it keeps
 * what it could not deliver and answers none). Answers how many attempts were made.
 */
export async function retryFailedEntries<T>(entries: T[], send: (pending: T[], attempt: number, last: boolean) => Promise<T[]>, o: RetryOptions): Promise<number> {
  let pending = entries;
  let attempt = 0;
  while (pending.length > 0) {
    attempt++;
    if (attempt > 1) await backOff(attempt - 1, o);
    pending = await send(pending, attempt, attempt >= o.maxAttempts);
    if (attempt >= o.maxAttempts) break;
  }
  return attempt;
}
