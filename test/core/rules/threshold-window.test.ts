import type { Alert } from "../../../functions/core/alert/alert";
import type { StoredThresholdState, ThresholdStateStore } from "../../../functions/core/ports";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { ThresholdStateConflictError, ThresholdTracker } from "../../../functions/core/rules/threshold-tracker";
import { EMPTY_STATE, entryCap, firedBy, mergeBatch, withFired, type ThresholdState, type WindowObservation } from "../../../functions/core/rules/threshold-window";
import { MemoryThresholdStore } from "../../../functions/adapters/local/memory-threshold-store";
import { loadExamples } from "./examples";
import { expandSequence, type Sequence } from "./sequences";

const MIN = 60_000;
const T0 = Date.parse("2026-10-14T10:00:00Z");
const distinct = { mode: "distinct" as const, threshold: 3, windowMs: 10 * MIN, dedupMs: 60 * MIN };
const obs = (key: string, minutes: number): WindowObservation<string> => ({ key, t: T0 + minutes * MIN, ref: key });

describe("counting in a sliding window (mergeBatch)", () => {
  it("raises one crossing when the threshold is reached within the window, at the event that reached it", () => {
    // Act
    const { crossings, state } = mergeBatch(EMPTY_STATE, [obs("a", 0), obs("b", 4), obs("c", 9), obs("d", 9.5)], distinct);
    // Assess
    expect(crossings).toHaveLength(1);
    expect(crossings[0]).toMatchObject({ count: 3, firstT: T0, lastT: T0 + 9 * MIN, values: ["a", "b", "c"], at: { key: "c" } });
    // What reached it is consumed; what came after counts toward the next alert.
    expect(state.entries.map(([k]) => k)).toEqual(["d"]);
    expect(state.quietUntil).toBe(T0 + 69 * MIN);
  });

  it("does not count values seen again, or events further apart than the window", () => {
    expect(mergeBatch(EMPTY_STATE, [obs("a", 0), obs("a", 1), obs("b", 2), obs("b", 3)], distinct).crossings).toEqual([]);
    expect(mergeBatch(EMPTY_STATE, [obs("a", 0), obs("b", 6), obs("c", 12)], distinct).crossings).toEqual([]);
  });

  it("counts across batches, and a late batch completes a window it belongs to", () => {
    // Prepare: a then c arrive first, b (in between in time) arrives late.
    const first = mergeBatch(EMPTY_STATE, [obs("a", 0)], distinct);
    const second = mergeBatch(first.state, [obs("c", 8)], distinct);
    // Act
    const late = mergeBatch(second.state, [obs("b", 4)], distinct);
    // Assess
    expect([first.crossings, second.crossings]).toEqual([[], []]);
    expect(late.crossings).toHaveLength(1);
    expect(late.crossings[0]).toMatchObject({ firstT: T0, lastT: T0 + 8 * MIN, at: { key: "b" } });
  });

  it("keeps a group quiet for the dedup period, then alerts again on a new burst", () => {
    const burst = (start: number, tag: string) => [0, 1, 2].map((i) => obs(`${tag}${i}`, start + i));
    const a = mergeBatch(EMPTY_STATE, burst(0, "x"), distinct);
    const during = mergeBatch(a.state, burst(30, "y"), distinct);
    const after = mergeBatch(during.state, burst(100, "z"), distinct);
    expect([a.crossings.length, during.crossings.length, after.crossings.length]).toEqual([1, 0, 1]);
  });

  it("counts events by event id, so the same event read twice counts once", () => {
    const events = { ...distinct, mode: "events" as const };
    const once = mergeBatch(EMPTY_STATE, [obs("e1", 0), obs("e2", 1)], events);
    const again = mergeBatch(once.state, [obs("e1", 0), obs("e2", 1)], events);
    expect(again.changed).toBe(false);
    expect(again.crossings).toEqual([]);
    expect(mergeBatch(again.state, [obs("e3", 2)], events).crossings).toHaveLength(1);
  });

  it("leaves the state unchanged when a group keeps reading the same values (nothing to store)", () => {
    const first = mergeBatch(EMPTY_STATE, [obs("a", 0), obs("b", 0)], distinct);
    const again = mergeBatch(first.state, [obs("a", 1), obs("b", 2)], distinct);
    expect(first.changed).toBe(true);
    expect(again.changed).toBe(false);
  });

  it("keeps the state bounded, whatever the volume, and drops what can no longer count", () => {
    const many = Array.from({ length: 5000 }, (_, i) => obs(`v${i}`, i * 10)); // one value every 10 minutes: never 3 in 10 min
    const { state } = mergeBatch(EMPTY_STATE, many, { ...distinct, threshold: 50, windowMs: 5 * MIN });
    expect(state.entries.length).toBeLessThanOrEqual(entryCap(50));
    expect(state.entries.every(([, t]) => t >= T0 + 49_990 * MIN - 10 * MIN)).toBe(true);
  });

  it("remembers the alerts of the last batches that raised any, so a retried batch raises the same ones", () => {
    const alert = { id: "a1" } as Alert;
    let s: ThresholdState = withFired(EMPTY_STATE, "file-1", [alert]);
    for (const b of ["file-2", "file-3", "file-4"]) s = withFired(s, b, [{ id: b } as Alert]);
    expect(firedBy(withFired(EMPTY_STATE, "file-1", [alert]), "file-1")).toEqual([alert]);
    expect(firedBy(s, "file-1")).toBeUndefined(); // only the last three are kept
    expect(firedBy(s, "file-4")?.[0]?.id).toBe("file-4");
  });
});

/** A store whose first `conflicts` saves fail as if another writer had saved first. */
class ContendedStore implements ThresholdStateStore {
  saves = 0;
  constructor(private readonly inner: ThresholdStateStore, private conflicts: number) {}
  load(key: string): Promise<StoredThresholdState> {
    return this.inner.load(key);
  }
  async save(key: string, state: ThresholdState, expected: number, expiresAt: Date): Promise<boolean> {
    this.saves++;
    if (this.conflicts-- > 0) return false;
    return this.inner.save(key, state, expected, expiresAt);
  }
}

describe("ThresholdTracker", () => {
  const ID = "ec2.password-data-read-burst";
  const seq = (loadExamples(ID)!.positive[0] as unknown as Sequence);

  function observeAll(tracker: ThresholdTracker, records: Record<string, unknown>[]) {
    const engine = new RuleEngine(catalog, { only: [ID] });
    for (const r of records) {
      const ev = engine.evaluate(r as { eventSource: string; eventName: string });
      if (ev.kind === "findings") for (const o of ev.observations ?? []) tracker.observe(o);
    }
  }

  it("folds a file's observations per group: one load and one save for thirty events", async () => {
    const store = new ContendedStore(new MemoryThresholdStore(), 0);
    const tracker = new ThresholdTracker(store);
    observeAll(tracker, expandSequence(seq));
    const alerts = await tracker.flush("file-1");
    expect(alerts.map((a) => a.rule)).toEqual([ID]);
    expect(store.saves).toBe(1);
  });

  it("reloads and merges again when another writer saved first, and gives up with a transient error after its attempts", async () => {
    const contended = new ContendedStore(new MemoryThresholdStore(), 3);
    const t1 = new ThresholdTracker(contended);
    observeAll(t1, expandSequence(seq));
    expect((await t1.flush("file-1")).map((a) => a.rule)).toEqual([ID]);
    expect(contended.saves).toBe(4);

    const t2 = new ThresholdTracker(new ContendedStore(new MemoryThresholdStore(), 100), { maxAttempts: 3 });
    observeAll(t2, expandSequence(seq));
    await expect(t2.flush("file-1")).rejects.toThrow(ThresholdStateConflictError);
  });

  it("raises the same alert again when the same file is processed again, without counting it twice", async () => {
    const store = new MemoryThresholdStore();
    const first = new ThresholdTracker(store);
    observeAll(first, expandSequence(seq));
    const a1 = await first.flush("s3://logs/file-1#etag");
    const retry = new ThresholdTracker(store);
    observeAll(retry, expandSequence(seq));
    const a2 = await retry.flush("s3://logs/file-1#etag");
    const other = new ThresholdTracker(store);
    observeAll(other, expandSequence(seq));
    expect(a2).toEqual(a1);
    expect(await other.flush("s3://logs/file-2#etag")).toEqual([]); // the same events in another file: already counted
  });

  it("leaves alerts below minSeverity out, but still consumes what they counted", async () => {
    const store = new MemoryThresholdStore();
    const quiet = new ThresholdTracker(store, { minSeverity: "critical" });
    observeAll(quiet, expandSequence(seq));
    expect(await quiet.flush("f1")).toEqual([]);
    expect(store.size).toBe(1);
  });
});
