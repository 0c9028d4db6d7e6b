import { alertId, severityRank, type Alert, type Severity } from "../alert/alert";
import { boundAlert } from "../alert/bound";
import { resolvePrincipal, type Principal } from "../record/principal";
import { fullRecord } from "../record/record-filter";
import { accountOfRecord, parseRecord, type CloudTrailRecord } from "../record/schema";
import type { StoredThresholdState, ThresholdStateStore } from "../ports";
import { attempt, boundedKey, type ObservationSink, type ThresholdObservation } from "./engine";
import { alertGuidance } from "./guidance";
import { actorKey } from "./raw-principal";
import { MAX_BURST_VALUES, type AnyThresholdRule, type Burst, type RawRecord, type ThresholdSettings } from "./threshold-rule";
import { EMPTY_STATE, firedBy, mergeBatch, withFired, type WindowObservation } from "./threshold-window";

export interface ThresholdTrackerOptions {
  /** Alerts below this severity are not returned (their events still count and are consumed). */
  minSeverity?: Severity;
  /** Clock for the stored state's expiry (not for counting: counting follows event time). */
  now?: () => Date;
  /** Groups settled at once against the store (default 8). */
  concurrency?: number;
  /** Attempts per group when other writers keep changing its state (default 8). */
  maxAttempts?: number;
}

/** Raised when a group's state could not be saved (others kept changing it): the batch must be retried. */
export class ThresholdStateConflictError extends Error {
  override name = "ThresholdStateConflictError";
  readonly transient = true;
}

/** What the tracker keeps of one key of a group within a batch: its latest time and the record that had it. */
export interface Pending {
  t: string;
  label: string | undefined;
  record: CloudTrailRecord | RawRecord;
  principal: Principal | undefined;
}

/** The keys of one group within a batch. */
interface Group {
  settings: ThresholdSettings;
  keys: Map<string, Pending>;
}

/** The record behind a counted key, for building the alert. */
interface Counted {
  group: string;
  record: CloudTrailRecord | RawRecord;
  principal?: Principal;
}

/**
 * Counts what threshold rules observe, batch by batch (a batch is one log file), against a
 * {@link ThresholdStateStore}, and turns the windows that reach a threshold into alerts.
 *
 * Within a batch the observations are first folded per (rule, group, key), so a file of ten thousand
 * denied calls of one principal costs one load and at most one save of that principal's state. A
 * batch id names the batch: when a batch is processed again (a retried log file), the alerts it
 * raised the first time are returned again and nothing is counted twice.
 */
export class ThresholdTracker implements ObservationSink {
  /** Observations of the current batch, by rule, then group, then key (nested maps: no key strings to build per record). */
  private pending = new Map<AnyThresholdRule, Map<string, Group>>();
  /** The group (and key) of the last observation: consecutive observations of one actor skip the lookups. */
  private last: { rule: AnyThresholdRule; group: string; g: Group; key: string | undefined; seen: Pending | undefined } | undefined;
  private readonly minRank: number;
  private readonly now: () => Date;

  constructor(
    private readonly store: ThresholdStateStore,
    private readonly opts: ThresholdTrackerOptions = {},
  ) {
    this.minRank = opts.minSeverity ? severityRank(opts.minSeverity) : 0;
    this.now = opts.now ?? (() => new Date());
  }

  /** True when observations wait for `flush`. */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /**
   * The current batch folded per (rule, group, key), in first-seen order, leaving none pending: a scan
   * worker folds a file's observations with a tracker it never flushes and hands this to the thread
   * that counts; adding the entries again in this order gives the same fold.
   */
  takeBatch(): ReadonlyMap<AnyThresholdRule, ReadonlyMap<string, { settings: ThresholdSettings; keys: ReadonlyMap<string, Pending> }>> {
    const out = this.pending;
    this.pending = new Map();
    this.last = undefined;
    return out;
  }

  /** Adds an observation of the current batch (every key of it). */
  observe(o: ThresholdObservation): void {
    for (const key of o.keys) this.add(o.rule, o.settings, o.group, key, o.label, o.eventTime, o.record, o.principal);
  }

  /** Adds one key of the current batch; the engine calls it directly (see `ObservationSink`). */
  add(rule: AnyThresholdRule, settings: ThresholdSettings, group: string, key: string, label: string | undefined, eventTime: string, record: CloudTrailRecord | RawRecord, principal?: Principal): void {
    // The same actor often makes several calls in a row: the lookups are skipped then.
    let last = this.last;
    if (!last || last.rule !== rule || last.group !== group) {
      let byGroup = this.pending.get(rule);
      if (!byGroup) this.pending.set(rule, (byGroup = new Map<string, Group>()));
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


  /**
   * Merges the batch's observations into the stored state and returns the alerts of the windows that
   * reached their threshold. Throws (with nothing half-counted that a retry would count twice) when
   * the store fails.
   */
  async flush(batch: string): Promise<Alert[]> {
    const groups = [...this.pending].flatMap(([rule, byGroup]) => [...byGroup].map(([group, g]) => ({ rule, group, settings: g.settings, keys: g.keys })));
    this.pending = new Map();
    this.last = undefined;
    const out: Alert[][] = new Array<Alert[]>(groups.length);
    // One batched read of every group's state where the store offers it: half the round trips.
    const preloaded = this.store.loadMany && groups.length > 1 ? await this.store.loadMany(groups.map((g) => `${g.rule.id}#${g.group}`)) : undefined;
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const i = next++;
        const g = groups[i]!;
        out[i] = await this.settle(batch, g.rule, g.settings, g.group, preloaded, [...g.keys].map(([key, p]) => ({
          key, t: Date.parse(p.t), ...(p.label !== undefined ? { label: p.label } : {}), ref: { group: g.group, record: p.record, principal: p.principal },
        })));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, groups.length) }, worker));
    return out.flat();
  }

  private async settle(
    batch: string, rule: AnyThresholdRule, settings: ThresholdSettings, group: string,
    preloaded: Map<string, StoredThresholdState> | undefined, obs: WindowObservation<Counted>[],
  ): Promise<Alert[]> {
    const key = `${rule.id}#${group}`;
    const params = { mode: rule.count, threshold: settings.threshold, windowMs: settings.windowMinutes * 60_000, dedupMs: settings.dedupMinutes * 60_000 };
    const attempts = this.opts.maxAttempts ?? 8;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const stored = attempt === 1 && preloaded ? (preloaded.get(key) ?? NO_STATE) : await this.store.load(key);
      const before = firedBy(stored.state, batch);
      if (before) return before.filter((a) => severityRank(a.severity) >= this.minRank);
      const merged = mergeBatch(stored.state ?? EMPTY_STATE, obs, params);
      if (!merged.changed && merged.crossings.length === 0) return [];
      const alerts = merged.crossings.map((c) => thresholdAlert(rule, settings, group, {
        count: c.count, firstT: c.firstT, lastT: c.lastT, values: c.values, distinctValues: c.distinctValues, observation: c.at.ref,
      }));
      const expiresAt = new Date(Math.max(this.now().getTime(), merged.state.quietUntil) + (settings.windowMinutes * 2 + settings.dedupMinutes) * 60_000 + 86_400_000);
      if (await this.store.save(key, withFired(merged.state, batch, alerts), stored.version, expiresAt)) {
        return alerts.filter((a) => severityRank(a.severity) >= this.minRank);
      }
    }
    throw new ThresholdStateConflictError(`threshold state of ${rule.id} for ${group} changed under every one of ${attempts} attempts to save it; retry the batch`);
  }
}

/** What a store answers for a group it holds nothing for. */
const NO_STATE: StoredThresholdState = { state: undefined, version: 0 };

/** An epoch time as CloudTrail writes times (no milliseconds unless there are some). */
function isoSeconds(t: number): string {
  return new Date(t).toISOString().replace(".000Z", "Z");
}

/** `a` is later than `b` (ISO 8601 times; parsed when the two are not written alike). */
function later(a: string, b: string): boolean {
  if (a.length === b.length) return a > b;
  return Date.parse(a) > Date.parse(b);
}

/** The validated record and principal of an observation (a raw rule's record is validated here, once per alert). */
function recordOf(o: Counted): { record: CloudTrailRecord; principal: Principal } {
  // A record rule's sample is a validated record (from a scan worker: as JSON text, parsed here).
  if (o.principal) return { record: fullRecord<CloudTrailRecord>(o.record), principal: o.principal };
  // A raw view (selective decoding) holds a few fields: the alert is built from the whole record.
  const parsed = parseRecord(fullRecord(o.record));
  if (parsed.ok) return { record: parsed.record, principal: resolvePrincipal(parsed.record.userIdentity) };
  // A record a raw observer counted but that fails validation still names its source, name and time.
  const raw = o.record as RawRecord;
  const record = { eventSource: raw.eventSource, eventName: raw.eventName, eventTime: raw.eventTime } as CloudTrailRecord;
  return { record, principal: { id: o.group, type: "Unknown", name: o.group } };
}

/**
 * Builds the alert of a burst, within trailwatch's limits (`boundAlert`). Its id depends on the rule,
 * the group and the time the threshold was reached. A rule whose summary, severity or context throws
 * still yields its alert (the default severity, a note in place of what failed).
 */
export function thresholdAlert(
  rule: AnyThresholdRule,
  settings: ThresholdSettings,
  group: string,
  c: { count: number; firstT: number; lastT: number; values: string[]; distinctValues: number; observation: Counted },
): Alert {
  const { record, principal } = recordOf(c.observation);
  const first = isoSeconds(c.firstT);
  const last = isoSeconds(c.lastT);
  const burst: Burst = {
    group, count: c.count, threshold: settings.threshold, windowMinutes: settings.windowMinutes,
    firstEventTime: first, lastEventTime: last, values: c.values.slice(0, MAX_BURST_VALUES), distinctValues: c.distinctValues, record, principal,
  };
  const ctx = { settings };
  const who = principal.session && principal.type === "AssumedRole" ? { session: principal.session } : {};
  return boundAlert({
    id: alertId(rule.id, `${group}|${last}`),
    rule: rule.id,
    title: rule.title,
    severity: rule.severityFor ? attempt(() => rule.severityFor!(burst, ctx), () => rule.severity) : rule.severity,
    account: accountOfRecord(record),
    region: record.awsRegion ?? "unknown",
    principal: principal.id,
    principalType: principal.type,
    eventSource: record.eventSource,
    eventName: record.eventName,
    eventTime: first,
    eventId: record.eventID ?? null,
    summary: attempt(() => rule.summary(burst, ctx), (e) => `${rule.title}: ${c.count} in ${settings.windowMinutes} min (the rule's summary failed: ${e})`),
    context: {
      ...who,
      ...(record.sourceIPAddress ? { sourceIPAddress: record.sourceIPAddress } : {}),
      count: c.count,
      threshold: settings.threshold,
      windowMinutes: settings.windowMinutes,
      dedupMinutes: settings.dedupMinutes,
      counted: rule.count === "distinct" ? "distinct values" : "events",
      ...(group !== boundedKey(actorKey(principal)) ? { group } : {}),
      firstEventTime: first,
      lastEventTime: last,
      values: burst.values,
      ...(c.distinctValues > burst.values.length ? { moreValues: c.distinctValues - burst.values.length } : {}),
      ...attempt(() => rule.context?.(burst, ctx) ?? {}, (e) => ({ contextError: `the rule's context failed: ${e}` })),
    },
    remediation: null,
    references: { mitre: rule.references.mitre, stratus: rule.references.stratus },
    ...alertGuidance(rule),
    occurrences: c.count,
    lastEventTime: last,
  });
}
