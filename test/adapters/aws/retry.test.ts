import { backoffDelay, retryFailedEntries, withRetries } from "../../../functions/adapters/aws/retry";

const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
const denied = () => Object.assign(new Error("no"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });

describe("backoffDelay", () => {
  it("grows exponentially from the base, is capped, and is jittered over the whole range", () => {
    // Act / Assess: with the largest random number the wait is just under the ceiling.
    const top = () => 0.999999;
    expect(backoffDelay(1, { baseMs: 100, random: top })).toBe(199);
    expect(backoffDelay(3, { baseMs: 100, random: top })).toBe(799);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 5_000, random: top })).toBe(4_999);
    expect(backoffDelay(3, { baseMs: 100, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { baseMs: 100, random: () => 0.5 })).toBe(400);
  });
});

describe("withRetries", () => {
  it("retries a transient failure with backoff between attempts and answers the result", async () => {
    // Prepare
    const waits: number[] = [];
    const attempts: number[] = [];
    // Act
    const out = await withRetries(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw throttled();
        return "ok";
      },
      { maxAttempts: 5, baseMs: 100, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    // Assess
    expect(out).toBe("ok");
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
  });

  it("throws a permanent failure at once, without waiting", async () => {
    const waits: number[] = [];
    let calls = 0;
    const err = await withRetries(async () => { calls++; throw denied(); }, { maxAttempts: 5, sleep: async (ms) => void waits.push(ms) }).catch((e: unknown) => e as Error);
    expect(err.name).toBe("AccessDeniedException");
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it("throws the last error once the attempts are spent", async () => {
    const waits: number[] = [];
    let calls = 0;
    const err = await withRetries(async () => { calls++; throw throttled(); }, { maxAttempts: 3, sleep: async (ms) => void waits.push(ms) }).catch((e: unknown) => e as Error);
    expect(err.name).toBe("ThrottlingException");
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it("retries what the caller's own classifier says", async () => {
    let calls = 0;
    const out = await withRetries(async () => { if (++calls < 2) throw denied(); return calls; }, { maxAttempts: 3, retryable: () => true, sleep: async () => undefined });
    expect(out).toBe(2);
  });
});

describe("retryFailedEntries", () => {
  it("sends again only the entries that failed, backing off between rounds, and stops when none is left", async () => {
    // Prepare: the service fails "b" once and "c" twice.
    const failures: Record<string, number> = { b: 1, c: 2 };
    const rounds: string[][] = [];
    const waits: number[] = [];
    // Act
    const attempts = await retryFailedEntries(
      ["a", "b", "c"],
      async (pending) => {
        rounds.push(pending);
        return pending.filter((x) => (failures[x] = (failures[x] ?? 0) - 1) >= 0);
      },
      { maxAttempts: 5, baseMs: 10, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    // Assess
    expect(rounds).toEqual([["a", "b", "c"], ["b", "c"], ["c"]]);
    expect(waits).toEqual([10, 20]);
    expect(attempts).toBe(3);
  });

  it("tells the last attempt it is the last, and tries no more after it", async () => {
    const lasts: boolean[] = [];
    const attempts = await retryFailedEntries(["x"], async (pending, _n, last) => { lasts.push(last); return pending; }, { maxAttempts: 3, sleep: async () => undefined });
    expect(lasts).toEqual([false, false, true]);
    expect(attempts).toBe(3);
  });

  it("makes no call for no entries", async () => {
    const attempts = await retryFailedEntries([], async () => { throw new Error("called"); }, { maxAttempts: 3 });
    expect(attempts).toBe(0);
  });
});
