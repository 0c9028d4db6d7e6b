import { createHash } from "node:crypto";
import { detached } from "../record/detached";
import { alertId, severityRank, type Alert, type Severity } from "../alert/alert";
import { boundAlert } from "../alert/bound";
import { resolvePrincipal, type Principal } from "../record/principal";
import { accountOfRecord, isFailedCall, parseRecord, type CloudTrailRecord } from "../record/schema";
import * as z from "../zod";
import { alertGuidance } from "./guidance";
import { firstMatchingPattern } from "./helpers";
import { actorKey } from "./raw-principal";
import type { AnyRule, RuleContext } from "./rule";
import { isRawThresholdRule, isThresholdRule, type AnyThresholdRule, type CatalogRule, type RawRecord, type RawThresholdRule, type ThresholdSettings } from "./threshold-rule";

/** A rule that matched a record. */
export interface Finding {
  rule: AnyRule;
  record: CloudTrailRecord;
  principal: Principal;
  severity: Severity;
  ctx: RuleContext<unknown>;
  /** What the rule's `match` returned (`true` or the findings it computed). */
  match: unknown;
}

export interface EngineOptions {
  /** Per-rule settings keyed by rule id; validated against each rule's schema. */
  settings?: Record<string, unknown>;
  /** Only these rule ids (default: all). */
  only?: string[];
  /** Drop findings below this severity. */
  minSeverity?: Severity;
}

/**
 * What a record contributes to a threshold rule: the group it counts toward and the keys it adds
 * (its event id for `events`, its values for `distinct`). The threshold tracker counts them.
 */
export interface ThresholdObservation {
  rule: AnyThresholdRule;
  settings: ThresholdSettings;
  group: string;
  keys: readonly string[];
  label?: string;
  eventTime: string;
  /** The validated record; for a raw rule the raw one, validated only if it raises an alert. */
  record: CloudTrailRecord | RawRecord;
  /** Resolved for record rules; raw rules leave it to the alert. */
  principal?: Principal;
}

/**
 * Takes what threshold rules observe, one key at a time, as the engine finds it (the threshold
 * tracker): no observation object is made per record, which matters for rules that see every record.
 */
export interface ObservationSink {
  add(rule: AnyThresholdRule, settings: ThresholdSettings, group: string, key: string, label: string | undefined, eventTime: string, record: CloudTrailRecord | RawRecord, principal?: Principal): void;
}

/** Collects observations into a list (when `evaluate` is called without a sink). */
function listSink(list: ThresholdObservation[]): ObservationSink {
  return {
    add(rule, settings, group, key, label, eventTime, record, principal) {
      const last = list[list.length - 1];
      if (last && last.rule === rule && last.record === record && last.group === group) {
        (last.keys as string[]).push(key);
        return;
      }
      list.push({ rule, settings, group, keys: [key], ...(label !== undefined ? { label } : {}), eventTime, record, ...(principal ? { principal } : {}) });
    },
  };
}

/**
 * Outcome of evaluating one raw record: the findings of single-event rules, and, when a threshold
 * rule counted the record, its observations (absent otherwise).
 */
export type Evaluation =
  | { kind: "findings"; findings: Finding[]; observations?: ThresholdObservation[] }
  | { kind: "invalid"; reason: string };

/** Raised when configuration names an unknown rule or gives settings a rule rejects. */
export class RuleConfigError extends Error {
  override name = "RuleConfigError";
}

const NO_FINDINGS: Evaluation = { kind: "findings", findings: [] };

/** Longest event source or event name the engine's index keeps (real ones are under 64 characters). */
const MAX_INDEXED_NAME = 256;

/**
 * Runs a rule catalog over CloudTrail records.
 *
 * Rules are indexed by eventSource and eventName; a record only meets the rules that could match
 * it, and the full zod validation runs only for those records. A rule that throws does not stop the
 * run: the error is counted per rule (see `ruleErrors`) and the other rules still run.
 */
export class RuleEngine {
  readonly rules: readonly CatalogRule[];
  private readonly bySource = new Map<string, { byName: Map<string, CatalogRule[]>; anyName: CatalogRule[] }>();
  /**
   * What applies to each (eventSource, eventName) seen, by source then name (no key string to build
   * per record): the candidate rules, and their split by how they read records, per identity type
   * when a candidate is limited to some (`identityTypes`).
   */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private entryCount = 0;
  /** Rules declared for every event source (`eventSources: ["*"]`). */
  private readonly anySource: CatalogRule[] = [];
  /** Rules whose index ignores case (`indexIgnoresCase`), by lower-cased eventSource, then lower-cased name. */
  private readonly bySourceIgnoringCase = new Map<string, { byName: Map<string, CatalogRule[]>; anyName: CatalogRule[] }>();
  private readonly settings = new Map<string, unknown>();
  private readonly minRank: number;
  /** Count of exceptions thrown per rule id, with the first message. */
  readonly ruleErrors = new Map<string, { count: number; first: string }>();

  constructor(catalog: readonly CatalogRule[], opts: EngineOptions = {}) {
    const ids = new Set(catalog.map((r) => r.id));
    for (const id of opts.only ?? []) {
      if (!ids.has(id)) throw new RuleConfigError(`unknown rule id "${id}" (known: ${[...ids].sort().join(", ")})`);
    }
    for (const id of Object.keys(opts.settings ?? {})) {
      if (!ids.has(id)) throw new RuleConfigError(`settings given for unknown rule id "${id}"`);
    }
    const only = opts.only && opts.only.length > 0 ? new Set(opts.only) : undefined;
    this.rules = catalog.filter((r) => !only || only.has(r.id));
    this.minRank = opts.minSeverity ? severityRank(opts.minSeverity) : 0;

    for (const rule of this.rules) {
      this.settings.set(rule.id, resolveSettings(rule, opts.settings?.[rule.id]));
      if (rule.eventSources.includes("*")) {
        this.anySource.push(rule);
        continue;
      }
      const fold = (rule as { indexIgnoresCase?: boolean }).indexIgnoresCase === true;
      const index = fold ? this.bySourceIgnoringCase : this.bySource;
      for (const src of rule.eventSources.map((x) => (fold ? x.toLowerCase() : x))) {
        let entry = index.get(src);
        if (!entry) index.set(src, (entry = { byName: new Map(), anyName: [] }));
        if (rule.eventNames === "*") entry.anyName.push(rule);
        else for (const n of new Set(rule.eventNames.map((x) => (fold ? x.toLowerCase() : x)))) {
          const list = entry.byName.get(n) ?? [];
          list.push(rule);
          entry.byName.set(n, list);
        }
      }
    }
  }

  /** Rules that could match this (eventSource, eventName); cached per pair. */
  candidates(eventSource: string, eventName: string): CatalogRule[] {
    return this.entry(eventSource, eventName).all;
  }

  /** What applies to one (eventSource, eventName); for `evaluate` and selective decoding (`engine-filter.ts`) only. */
  entry(eventSource: string, eventName: string): Entry {
    let byName = this.entries.get(eventSource);
    let e = byName?.get(eventName);
    if (e) return e;
    const source = this.bySource.get(eventSource);
    const all = source ? [...(source.byName.get(eventName) ?? []), ...source.anyName] : [];
    if (this.bySourceIgnoringCase.size) {
      const folded = this.bySourceIgnoringCase.get(eventSource.toLowerCase());
      if (folded) all.push(...(folded.byName.get(eventName.toLowerCase()) ?? []), ...folded.anyName);
    }
    for (const r of this.anySource) {
      if (r.eventNames === "*" || r.eventNames.includes(eventName)) all.push(r);
      else if ((r as { indexIgnoresCase?: boolean }).indexIgnoresCase && r.eventNames.some((n) => n.toLowerCase() === eventName.toLowerCase())) all.push(r);
    }
    const identityTypes = new Set(all.flatMap((r) => r.identityTypes ?? []));
    const eventTypes = new Set(all.flatMap((r) => r.eventTypes ?? []));
    const errorCodes = new Set(all.flatMap((r) => r.errorCodes ?? []));
    e = { all, ...(identityTypes.size || eventTypes.size || errorCodes.size ? { filtered: { identityTypes, eventTypes, errorCodes, splits: new Map() } } : { split: this.makeSplit(all) }) };
    // No AWS event source or name is this long: a made-up one is answered but not kept, so the index
    // stays small. (`String`: a caller may hand over a record that is not yet validated.)
    if (String(eventSource).length > MAX_INDEXED_NAME || String(eventName).length > MAX_INDEXED_NAME) return e;
    // Bounded: hostile input may name endless made-up events.
    if (++this.entryCount > 50_000) {
      this.entries.clear();
      this.entryCount = 1;
      byName = undefined;
    }
    if (!byName) this.entries.set(eventSource, (byName = new Map<string, Entry>()));
    byName.set(eventName, e);
    return e;
  }

  /**
   * Evaluates one record that already has string eventSource/eventName/eventTime
   * (see `missingRequiredField`).
   */
  evaluate(raw: { eventSource: string; eventName: string }, sink?: ObservationSink): Evaluation {
    const e = this.entry(raw.eventSource, raw.eventName);
    if (e.all.length === 0) return NO_FINDINGS;
    const f = e.filtered;
    const split = e.split ?? this.filteredSplit(e, f!, rawIdentityType(raw), f!.eventTypes.size ? rawEventType(raw) : undefined, f!.errorCodes.size ? rawErrorCode(raw) : undefined);
    if (split.raw.length === 0 && split.parsed.length === 0) return NO_FINDINGS;
    let observations: ThresholdObservation[] | undefined;
    // Without a sink, observations are collected and returned (made only when a rule counts the record).
    let out = sink;
    for (const { rule, settings } of split.raw) {
      try {
        const o = rule.observeRaw(raw as RawRecord, settings);
        if (!o || ignored(settings, o.group)) continue;
        const label = o.label !== undefined ? o.label.slice(0, 64) : undefined;
        const group = boundedKey(o.group);
        const eventTime = (raw as RawRecord).eventTime;
        out ??= listSink((observations = []));
        if (typeof o.value === "string") {
          if (o.value) out.add(rule, settings, group, boundedKey(o.value), label, eventTime, raw as RawRecord);
        } else for (const k of distinctKeys(o.value)) out.add(rule, settings, group, k, label, eventTime, raw as RawRecord);
      } catch (err) {
        this.countError(rule.id, err);
      }
    }
    if (split.parsed.length === 0) return observations ? { kind: "findings", findings: [], observations } : NO_FINDINGS;
    const parsed = parseRecord(raw);
    if (!parsed.ok) return { kind: "invalid", reason: parsed.reason };
    const record = parsed.record;
    const failed = isFailedCall(record);
    const principal = resolvePrincipal(record.userIdentity);
    const findings: Finding[] = [];
    for (const rule of split.parsed) {
      if (failed && !rule.includeFailedCalls) continue;
      const ctx: RuleContext<unknown> = { settings: this.settings.get(rule.id), principal };
      try {
        const m: unknown = rule.match(record, ctx);
        if (m === false || m === null || m === undefined) continue;
        if (isThresholdRule(rule)) {
          observe(rule, record, ctx, m, (out ??= listSink((observations = []))));
          continue;
        }
        const severity = rule.severityFor ? rule.severityFor(record, ctx, m) : rule.severity;
        if (severityRank(severity) < this.minRank) continue;
        findings.push({ rule, record, principal, severity, ctx, match: m });
      } catch (err) {
        this.countError(rule.id, err);
      }
    }
    if (observations) return { kind: "findings", findings, observations };
    return findings.length ? { kind: "findings", findings } : NO_FINDINGS;
  }



  /** Counts an exception of a rule; the first message is kept. */
  countError(ruleId: string, err: unknown): void {
    const e = this.ruleErrors.get(ruleId);
    if (e) e.count++;
    else this.ruleErrors.set(ruleId, { count: 1, first: err instanceof Error ? err.message : String(err) });
  }

  /** The settings the engine resolved for a rule (defaults merged with the given ones). */
  settingsOf(ruleId: string): unknown {
    return this.settings.get(ruleId);
  }

  /**
   * The split of the candidates whose `identityTypes`, `eventTypes` and `errorCodes` admit a record
   * with this identity type, event type and error code. A value no candidate names counts as none
   * (one cached split for all of them), so hostile records naming endless made-up values cannot grow the cache.
   */
  filteredSplit(e: Entry, f: Filtered, t: string | undefined, et: string | undefined, ec: string | undefined): Split {
    const type = t !== undefined && f.identityTypes.has(t) ? t : undefined;
    const eventType = et !== undefined && f.eventTypes.has(et) ? et : undefined;
    const errorCode = ec !== undefined && f.errorCodes.has(ec) ? ec : undefined;
    let byEventType = f.splits.get(type);
    if (!byEventType) f.splits.set(type, (byEventType = new Map<string | undefined, Map<string | undefined, Split>>()));
    let byErrorCode = byEventType.get(eventType);
    if (!byErrorCode) byEventType.set(eventType, (byErrorCode = new Map<string | undefined, Split>()));
    let split = byErrorCode.get(errorCode);
    if (!split) {
      const admitted = e.all.filter((r) =>
        (!r.identityTypes || (type !== undefined && r.identityTypes.includes(type))) &&
        (!r.eventTypes || (eventType !== undefined && r.eventTypes.includes(eventType))) &&
        (!r.errorCodes || (errorCode !== undefined && r.errorCodes.includes(errorCode))));
      byErrorCode.set(errorCode, (split = this.makeSplit(admitted)));
    }
    return split;
  }

  /** Rules split by how they read records: raw observers (with their settings) and rules of validated records. */
  private makeSplit(rules: CatalogRule[]): Split {
    const raw = rules.filter(isRawThresholdRule).map((rule) => ({ rule, settings: this.settings.get(rule.id) as ThresholdSettings }));
    const parsed = rules.filter((r) => !isRawThresholdRule(r)) as (AnyRule | RecordRuleOfThreshold)[];
    return { raw, parsed };
  }
}

/** A threshold rule that reads validated records. */
type RecordRuleOfThreshold = Exclude<AnyThresholdRule, RawThresholdRule<ThresholdSettings>>;

/** The rules that apply to one kind of record, by how they read records. */
export interface Split {
  raw: { rule: RawThresholdRule<ThresholdSettings>; settings: ThresholdSettings }[];
  parsed: (AnyRule | RecordRuleOfThreshold)[];
}

/** What applies to one (eventSource, eventName). */
export interface Entry {
  all: CatalogRule[];
  /** The split when no candidate is limited by identity type or event type. */
  split?: Split;
  /** Otherwise the splits per identity type and event type. */
  filtered?: Filtered;
}

/** The identity types, event types and error codes the candidates of an entry name, and the split for each combination seen. */
export interface Filtered {
  identityTypes: ReadonlySet<string>;
  eventTypes: ReadonlySet<string>;
  errorCodes: ReadonlySet<string>;
  /** By identity type, then event type, then error code (`undefined`: none the candidates name). */
  splits: Map<string | undefined, Map<string | undefined, Map<string | undefined, Split>>>;
}

/** True when a threshold rule's settings say not to count this group. */
function ignored(settings: ThresholdSettings, group: string): boolean {
  return settings.ignorePrincipals.length > 0 && firstMatchingPattern(settings.ignorePrincipals, group) !== undefined;
}

/** Longest value a threshold entry keeps as it is (longer ones are cut and made unique with a hash). */
const MAX_KEY = 96;

/**
 * Long keys already cut: an assumed-role session's group (ARN and session name) is usually over
 * {@link MAX_KEY} and comes with nearly every record, so its hash is computed once, not per record.
 */
const cutKeys = new Map<string, string>();
const CUT_KEYS_MAX = 10_000;
/** Only keys up to this long are remembered, so the map holds at most a few MB whatever records carry. */
const CUT_KEY_REMEMBERED = 512;

/** A value as a bounded key: as it is when short, else cut and suffixed with a hash of the whole. */
export function boundedKey(v: string): string {
  if (v.length <= MAX_KEY) return v;
  if (v.length > CUT_KEY_REMEMBERED) return cutKey(v);
  let k = cutKeys.get(v);
  if (k === undefined) {
    if (cutKeys.size >= CUT_KEYS_MAX) cutKeys.clear();
    // The key may be a slice of a file's text: remembered as a copy, so the file is not kept alive.
    cutKeys.set(detached(v), (k = cutKey(v)));
  }
  return k;
}

function cutKey(v: string): string {
  return `${v.slice(0, 64)}...#${createHash("sha256").update(v).digest("hex").slice(0, 16)}`;
}

/** The distinct, non-empty values of one event as bounded keys (at most 100: one event, one batch of values). */
function distinctKeys(values: readonly unknown[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0).slice(0, 100).map(boundedKey))];
}

/** What a record rule's match contributes to its group, handed to the sink (nothing when the rule does not count it). */
function observe(rule: RecordRuleOfThreshold, record: CloudTrailRecord, ctx: RuleContext<unknown>, m: unknown, sink: ObservationSink): void {
  const group = rule.groupBy ? rule.groupBy(record, ctx as never, m) : actorKey(ctx.principal);
  const settings = ctx.settings as ThresholdSettings;
  if (!group || ignored(settings, group)) return;
  const g = boundedKey(group);
  if (rule.count === "distinct") {
    for (const k of distinctKeys(rule.values?.(record, ctx as never, m) ?? [])) sink.add(rule, settings, g, k, undefined, record.eventTime, record, ctx.principal);
    return;
  }
  const key = record.eventID ?? `${record.eventTime}|${record.requestID ?? ""}|${record.eventName}`;
  const label = (rule.label ? rule.label(record, ctx as never, m) : `${record.eventSource.replace(/\.amazonaws\.com$/, "")}:${record.eventName}`).slice(0, 64);
  sink.add(rule, settings, g, key, label, record.eventTime, record, ctx.principal);
}

/** `userIdentity.type` of a raw (not yet validated) record, when it is a string. */
function rawIdentityType(raw: object): string | undefined {
  const ui = (raw as { userIdentity?: unknown }).userIdentity;
  const t = ui && typeof ui === "object" ? (ui as { type?: unknown }).type : undefined;
  return typeof t === "string" ? t : undefined;
}

/** `eventType` of a raw (not yet validated) record, when it is a string. */
function rawEventType(raw: object): string | undefined {
  const t = (raw as { eventType?: unknown }).eventType;
  return typeof t === "string" ? t : undefined;
}

/** `errorCode` of a raw (not yet validated) record, when it is a string. */
function rawErrorCode(raw: object): string | undefined {
  const c = (raw as { errorCode?: unknown }).errorCode;
  return typeof c === "string" ? c : undefined;
}

function resolveSettings(rule: CatalogRule, given: unknown): unknown {
  if (!rule.settings) {
    if (given !== undefined) throw new RuleConfigError(`rule "${rule.id}" takes no settings`);
    return undefined;
  }
  if (given === undefined) return rule.settings.defaults;
  const merged = { ...(rule.settings.defaults as object), ...(given as object) };
  const res = z.safeParse(rule.settings.schema, merged);
  if (!res.success) {
    const i = res.error.issues[0];
    throw new RuleConfigError(`settings of rule "${rule.id}": ${i?.path.join(".") || "(root)"}: ${i?.message}`);
  }
  return res.data;
}

/**
 * Builds the alert for a finding, within trailwatch's limits (`boundAlert`): a rule's context may
 * copy request parameters of any shape and size, which are cut there with a visible marker.
 */
export function toAlert(f: Finding): Alert {
  const r = f.record;
  const dedup = f.rule.dedupKey?.(r, f.ctx, f.match) ?? r.eventID ?? `${r.eventTime}|${r.eventSource}|${r.eventName}|${f.principal.id}|${r.requestID ?? ""}`;
  const who = f.principal.session && f.principal.type === "AssumedRole" ? { session: f.principal.session } : {};
  return boundAlert({
    id: alertId(f.rule.id, dedup),
    rule: f.rule.id,
    title: f.rule.title,
    severity: f.severity,
    account: accountOfRecord(r),
    region: r.awsRegion ?? "unknown",
    principal: f.principal.id,
    principalType: f.principal.type,
    eventSource: r.eventSource,
    eventName: r.eventName,
    eventTime: r.eventTime,
    eventId: r.eventID ?? null,
    summary: attempt(() => f.rule.summary(r, f.ctx, f.match), (e) => `${f.rule.title} (the rule's summary failed: ${e})`),
    context: {
      ...who,
      ...(r.sourceIPAddress ? { sourceIPAddress: r.sourceIPAddress } : {}),
      ...(r.errorCode ? { errorCode: r.errorCode, errorMessage: r.errorMessage ?? undefined } : {}),
      ...attempt(() => f.rule.context?.(r, f.ctx, f.match) ?? {}, (e) => ({ contextError: `the rule's context failed: ${e}` })),
    },
    remediation: null,
    references: { mitre: f.rule.references.mitre, stratus: f.rule.references.stratus },
    ...alertGuidance(f.rule),
  });
}

/** `fn()`, or `fallback(message)` when it throws: a rule failing on one odd record still yields its alert. */
export function attempt<T>(fn: () => T, fallback: (message: string) => T): T {
  try {
    return fn();
  } catch (e) {
    return fallback(e instanceof Error ? e.message : String(e));
  }
}
