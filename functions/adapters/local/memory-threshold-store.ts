import type { StoredThresholdState, ThresholdStateStore } from "../../core/ports";
import type { ThresholdState } from "../../core/rules/threshold-window";

/**
 * Threshold state in memory, for one CLI run (a scan counts across all the files it reads). States are
 * copied in and out as JSON, as a database would, so the counting code cannot depend on sharing
 * objects with the store.
 */
export class MemoryThresholdStore implements ThresholdStateStore {
  private readonly items = new Map<string, { json: string; version: number }>();

  async load(key: string): Promise<StoredThresholdState> {
    const item = this.items.get(key);
    return item ? { state: JSON.parse(item.json) as ThresholdState, version: item.version } : { state: undefined, version: 0 };
  }

  async save(key: string, state: ThresholdState, expectedVersion: number): Promise<boolean> {
    const item = this.items.get(key);
    if ((item?.version ?? 0) !== expectedVersion) return false;
    this.items.set(key, { json: JSON.stringify(state), version: expectedVersion + 1 });
    return true;
  }

  /** Number of groups with state (tests, and the scan summary). */
  get size(): number {
    return this.items.size;
  }
}
