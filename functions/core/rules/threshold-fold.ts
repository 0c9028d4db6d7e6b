import type { Principal } from "../record/principal";
import type { CloudTrailRecord } from "../record/schema";
import type { ObservationSink } from "./engine";
import type { AnyThresholdRule, RawRecord, ThresholdSettings } from "./threshold-rule";

/** What is kept of one key of a group within a batch: its latest time and the record that had it. */
export interface PendingKey {
  t: string;
  label: string | undefined;
  record: CloudTrailRecord | RawRecord;
  principal: Principal | undefined;
}

/** The keys of one group within a batch. */
export interface PendingGroup {
  settings: ThresholdSettings;
  keys: Map<string, PendingKey>;
}

/**
 * The observations of one batch (one log file) folded per (rule, group, key): the first label, the
 * latest event time and the first record that had it. Folding a batch's observations again, in the
 * order this fold lists them, gives the same fold: that is how a worker hands a file's observations to
 * the thread that counts them (see `functions/cli/scan-pool`).
 */
export class ObservationFold implements ObservationSink {
  /** By rule, then group, then key (nested maps: no key strings to build per record); insertion order is first-seen order. */
  pending = new Map<AnyThresholdRule, Map<string, PendingGroup>>();
  /** The group (and key) of the last observation: consecutive observations of one actor skip the lookups. */
  private last: { rule: AnyThresholdRule; group: string; g: PendingGroup; key: string | undefined; seen: PendingKey | undefined } | undefined;

  get size(): number {
    return this.pending.size;
  }

  add(rule: AnyThresholdRule, settings: ThresholdSettings, group: string, key: string, label: string | undefined, eventTime: string, record: CloudTrailRecord | RawRecord, principal?: Principal): void {
    // The same actor often makes several calls in a row: the lookups are skipped then.
    let last = this.last;
    if (!last || last.rule !== rule || last.group !== group) {
      let byGroup = this.pending.get(rule);
      if (!byGroup) this.pending.set(rule, (byGroup = new Map()));
      let g = byGroup.get(group);
      if (!g) byGroup.set(group, (g = { settings, keys: new Map() }));
      this.last = last = { rule, group, g, key: undefined, seen: undefined };
    }
    let seen = last.key === key ? last.seen : last.g.keys.get(key);
    if (!seen) {
      last.g.keys.set(key, (seen = { t: eventTime, label, record, principal }));
    } else if (later(eventTime, seen.t)) {
      // Keep the latest time of a key (ISO times of one source compare as strings).
      seen.t = eventTime;
      seen.record = record;
      seen.principal = principal;
    }
    last.key = key;
    last.seen = seen;
  }

  /** The folded batch, leaving this fold empty. */
  take(): Map<AnyThresholdRule, Map<string, PendingGroup>> {
    const out = this.pending;
    this.pending = new Map();
    this.last = undefined;
    return out;
  }
}

/** `a` is later than `b` (ISO 8601 times; parsed when the two are not written alike). */
function later(a: string, b: string): boolean {
  if (a.length === b.length) return a > b;
  return Date.parse(a) > Date.parse(b);
}
