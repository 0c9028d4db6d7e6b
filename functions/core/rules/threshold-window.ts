import type { Alert } from "../alert/alert";
import type { ThresholdCount } from "./threshold-rule";

/**
 * The counting behind threshold rules, pure so that the CLI (state in memory for a run) and the log
 * analyzer (state in DynamoDB across invocations) count the same way.
 *
 * Per group (e.g. one principal under one rule) the state holds the counted entries of the recent
 * past, keyed so that counting is idempotent: the event id (`events`) or the value (`distinct`). A
 * batch of observations (one log file) is merged in event-time order; after each new entry the
 * windows of length `window` that contain it are checked, so files that arrive late or out of order
 * count as if they had come in order. Reaching the threshold raises one crossing, marks the entries up
 * to it as consumed (they never count toward another alert) and keeps the group quiet for `dedup`.
 */

/** One counted entry: key (event id or value), event time (epoch ms), optional label. */
export type WindowEntry = [key: string, t: number, label?: string];

/** The state of one group. Plain JSON: adapters store it as it is. */
export interface ThresholdState {
  entries: WindowEntry[];
  /** Entries at or before this time (epoch ms) were counted in an alert already. */
  consumedUntil: number;
  /** No new alert before this time (epoch ms): the dedup period of the last alert. */
  quietUntil: number;
  /** Alerts raised by the most recent batches that raised any, so a retried batch sends the same alerts. */
  fired: { batch: string; alerts: Alert[] }[];
}

export const EMPTY_STATE: ThresholdState = Object.freeze({ entries: [], consumedUntil: 0, quietUntil: 0, fired: [] });

/** One observation of a batch: what an event contributes to its group. */
export interface WindowObservation<R> {
  key: string;
  t: number;
  label?: string;
  /** Whatever the caller needs to build the alert (the record and principal). */
  ref: R;
}

/** A window that reached the threshold. */
export interface Crossing<R> {
  /** The observation of this batch that completed the window. */
  at: WindowObservation<R>;
  count: number;
  firstT: number;
  lastT: number;
  /** Keys (distinct) or labels (events) of the window's entries, most frequent first, then by time. */
  values: string[];
  distinctValues: number;
}

export interface WindowParams {
  mode: ThresholdCount;
  threshold: number;
  windowMs: number;
  dedupMs: number;
}

/** Most firing batches remembered per group, and alerts per batch (bounded state). */
const MAX_FIRED_BATCHES = 3;
const MAX_ALERTS_PER_BATCH = 5;

/** Entries kept per group: enough to reach any threshold, bounded whatever the volume. */
export function entryCap(threshold: number): number {
  return Math.min(Math.max(threshold * 2, 20), 1000);
}

/**
 * Merges a batch into a group's state. Returns the new state (the input is not modified), whether it
 * differs from the old one (nothing to store when it does not), and the windows that reached the
 * threshold.
 *
 * `distinct`: an entry per value with the time it was last seen; a value seen again within a quarter
 * of the window keeps its time, so a group that keeps reading the same few values does not change
 * the state at every batch (and the log analyzer does not write it at every file).
 */
export function mergeBatch<R>(prev: ThresholdState, batch: readonly WindowObservation<R>[], p: WindowParams): { state: ThresholdState; changed: boolean; crossings: Crossing<R>[] } {
  const entries = new Map<string, { t: number; l?: string }>();
  for (const [k, t, l] of prev.entries) entries.set(k, l === undefined ? { t } : { t, l });
  let consumedUntil = prev.consumedUntil;
  let quietUntil = prev.quietUntil;
  let changed = false;
  const crossings: Crossing<R>[] = [];
  const refresh = p.windowMs / 4;
  const cap = entryCap(p.threshold);
  const sorted = [...batch].sort((a, b) => a.t - b.t);

  for (const o of sorted) {
    if (!Number.isFinite(o.t) || o.t <= consumedUntil) continue;
    const seen = entries.get(o.key);
    if (seen) {
      if (p.mode === "events" || o.t <= seen.t + refresh) continue;
      seen.t = o.t;
    } else entries.set(o.key, o.label === undefined ? { t: o.t } : { t: o.t, l: o.label });
    changed = true;
    // A file of thousands of events of one group: keep the newest, so each check stays cheap.
    if (entries.size > 2 * cap) keepNewest(entries, cap);

    // Every window holding this event ends by o.t + window: none can alert while the group is quiet.
    if (o.t + p.windowMs < quietUntil) continue;
    const found = windowContaining(entries, o.t, p);
    if (!found || found.end < quietUntil) continue;
    const inWindow = [...entries].filter(([, e]) => e.t >= found.start && e.t <= found.end);
    crossings.push({ at: o, count: inWindow.length, firstT: found.start, lastT: found.end, ...rankValues(inWindow, p.mode) });
    consumedUntil = found.end;
    quietUntil = found.end + p.dedupMs;
    for (const [k, e] of entries) if (e.t <= consumedUntil) entries.delete(k);
  }

  // Keep what can still count: within a window (plus one more, for late files) of the newest entry.
  let newest = 0;
  for (const e of entries.values()) if (e.t > newest) newest = e.t;
  let kept = [...entries].filter(([, e]) => e.t > consumedUntil && e.t >= newest - 2 * p.windowMs);
  if (kept.length > cap) kept = kept.sort((a, b) => b[1].t - a[1].t).slice(0, cap);
  if (kept.length !== entries.size) changed = true;
  if (consumedUntil !== prev.consumedUntil || quietUntil !== prev.quietUntil) changed = true;
  const state: ThresholdState = {
    entries: kept.sort((a, b) => a[1].t - b[1].t).map(([k, e]) => (e.l === undefined ? [k, e.t] : [k, e.t, e.l])),
    consumedUntil,
    quietUntil,
    fired: prev.fired,
  };
  return { state, changed, crossings };
}

/** Drops all but the `n` newest entries. */
function keepNewest(entries: Map<string, { t: number }>, n: number): void {
  const drop = [...entries].sort((a, b) => b[1].t - a[1].t).slice(n);
  for (const [k] of drop) entries.delete(k);
}

/** Records the alerts a batch raised, so that a retry of the same batch raises exactly these again. */
export function withFired(state: ThresholdState, batch: string, alerts: Alert[]): ThresholdState {
  if (alerts.length === 0) return state;
  const fired = [...state.fired.filter((f) => f.batch !== batch), { batch, alerts: alerts.slice(0, MAX_ALERTS_PER_BATCH) }];
  return { ...state, fired: fired.slice(-MAX_FIRED_BATCHES) };
}

/** The alerts an earlier processing of this batch raised, if it raised any. */
export function firedBy(state: ThresholdState | undefined, batch: string): Alert[] | undefined {
  return state?.fired.find((f) => f.batch === batch)?.alerts;
}

/**
 * The earliest-completing window of length `windowMs` that contains time `t` and holds at least
 * `threshold` entries: its first and last entry times.
 */
function windowContaining(entries: Map<string, { t: number }>, t: number, p: WindowParams): { start: number; end: number } | undefined {
  if (entries.size < p.threshold) return undefined;
  const times: number[] = [];
  for (const e of entries.values()) if (e.t >= t - p.windowMs && e.t <= t + p.windowMs) times.push(e.t);
  if (times.length < p.threshold) return undefined;
  times.sort((a, b) => a - b);
  // The last index at time t (entries with equal times: any of them is "the" new one).
  let at = 0;
  for (let i = 0; i < times.length; i++) if (times[i]! <= t) at = i;
  let best: { start: number; end: number } | undefined;
  for (let i = 0; i <= at; i++) {
    const e = Math.max(at, i + p.threshold - 1);
    if (e >= times.length) break;
    if (times[e]! - times[i]! <= p.windowMs && (!best || times[e]! < best.end)) best = { start: times[i]!, end: times[e]! };
  }
  return best;
}

/** Values of a window for people: distinct keys (newest first) or labels by frequency. */
function rankValues(inWindow: [string, { t: number; l?: string }][], mode: ThresholdCount): { values: string[]; distinctValues: number } {
  if (mode === "distinct") {
    const keys = inWindow.sort((a, b) => a[1].t - b[1].t).map(([k]) => k);
    return { values: keys, distinctValues: keys.length };
  }
  const counts = new Map<string, number>();
  for (const [, e] of inWindow) if (e.l !== undefined) counts.set(e.l, (counts.get(e.l) ?? 0) + 1);
  const labels = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l, n]) => (n > 1 ? `${l} x${n}` : l));
  return { values: labels, distinctValues: counts.size };
}
