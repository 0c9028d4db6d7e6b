import { orderedMap } from "../../../functions/core/sources/ordered-map";

const later = <T>(v: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(v), ms));

describe("orderedMap", () => {
  it("yields results in input order while calls overlap, never more than the concurrency at once", async () => {
    let running = 0;
    let most = 0;
    const out: number[] = [];
    for await (const v of orderedMap([30, 5, 20, 1, 10], async (ms) => {
      running++;
      most = Math.max(most, running);
      await later(null, ms);
      running--;
      return ms;
    }, { concurrency: 3 })) out.push(v);
    expect(out).toEqual([30, 5, 20, 1, 10]);
    expect(most).toBe(3);
  });

  it("holds back calls while the weight in flight is at the limit, but always lets one through", async () => {
    const started: number[] = [];
    const out: number[] = [];
    for await (const v of orderedMap([60, 50, 200, 10], async (w) => {
      started.push(w);
      return w;
    }, { concurrency: 10, weight: (w) => w, maxWeight: 100 })) {
      out.push(v);
      // 60 + 50 fit in 100; 200 waits until it can run alone, and 10 waits behind it.
      if (out.length === 1) expect(started).toEqual([60, 50]);
      if (out.length === 2) expect(started).toEqual([60, 50, 200]);
    }
    expect(out).toEqual([60, 50, 200, 10]);
  });

  it("stops the input when the consumer stops early", async () => {
    let pulled = 0;
    function* input() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield i;
      }
    }
    for await (const v of orderedMap(input(), async (i) => i, { concurrency: 2 })) if (v === 3) break;
    expect(pulled).toBeLessThan(10);
  });
});
