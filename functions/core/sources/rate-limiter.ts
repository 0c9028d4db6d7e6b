/** Time as the code sees it: real in production, a fake in tests (so rates are checked without waiting). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * Spaces calls evenly at most `perSecond` a second: each `take()` waits until `1000 / perSecond` ms
 * after the previous one started. Even spacing (no burst) keeps every one-second window within the
 * limit, which a token bucket with a burst does not at its edges.
 */
export class RateLimiter {
  private next = Number.NEGATIVE_INFINITY;
  private readonly gapMs: number;

  constructor(perSecond: number, private readonly clock: Clock = systemClock) {
    if (!(perSecond > 0)) throw new RangeError(`rate must be positive (got ${perSecond})`);
    this.gapMs = 1000 / perSecond;
  }

  /** Resolves when the next call may start. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.next);
    this.next = at + this.gapMs;
    if (at > now) await this.clock.sleep(at - now);
  }
}
