import type { Severity } from "../alert/alert";
import { patternListSchema } from "./helpers";
import type { Principal } from "../record/principal";
import type { ViewField } from "../record/record-fields";
import type { CloudTrailRecord } from "../record/schema";
import * as z from "../zod";
import type { AnyRule, MatchResult, RuleContext, RuleStatus, Runbook } from "./rule";

/** The settings every threshold rule has (users override them per rule in `rules.<id>.settings`). */
export interface ThresholdSettings {
  /** Alert when this many events (or distinct values) fall within one window. */
  threshold: number;
  /** Length of the sliding window, in minutes of event time. */
  windowMinutes: number;
  /** After an alert, no new alert for the same group for this long (event time). */
  dedupMinutes: number;
  /**
   * Groups (principal ARNs, unless the rule counts by something else) never counted: case-insensitive
   * regular expressions, e.g. `["role/prowler-scanner$"]` for a scanner that reads everything on purpose.
   */
  ignorePrincipals: string[];
}

/** Bounds of the threshold settings: they also bound the state kept per group (see `threshold-window.ts`). */
export const THRESHOLD_LIMITS = { threshold: 500, windowMinutes: 1440, dedupMinutes: 10_080 } as const;

/** The zod shape of {@link ThresholdSettings}; spread it into a rule's own `z.strictObject` to add settings. */
export const THRESHOLD_SETTINGS_SHAPE = {
  threshold: z.number().check(z.int(), z.minimum(1), z.maximum(THRESHOLD_LIMITS.threshold)),
  windowMinutes: z.number().check(z.int(), z.minimum(1), z.maximum(THRESHOLD_LIMITS.windowMinutes)),
  dedupMinutes: z.number().check(z.int(), z.minimum(0), z.maximum(THRESHOLD_LIMITS.dedupMinutes)),
  ignorePrincipals: patternListSchema(0).check(z.maxLength(200)),
};

/** The settings schema of a threshold rule without settings of its own. */
export const thresholdSettingsSchema = z.strictObject(THRESHOLD_SETTINGS_SHAPE);

/**
 * What a threshold rule counts per group: every matching event (`events`, e.g. denied calls), or the
 * distinct values its events carry (`distinct`, e.g. secret ids: reading one secret 50 times is one).
 */
export type ThresholdCount = "events" | "distinct";

/** A burst that reached a threshold: what the alert tells. */
export interface Burst {
  /** What was counted for: the actor (principal, and session for role sessions) unless the rule groups otherwise. */
  group: string;
  /** Events (or distinct values) in the window. */
  count: number;
  threshold: number;
  windowMinutes: number;
  /** Event time of the first counted event of the window, and of the event that reached the threshold. */
  firstEventTime: string;
  lastEventTime: string;
  /**
   * What was counted, at most {@link MAX_BURST_VALUES}: the distinct values (`distinct`), or the
   * distinct labels of the events (`events`, e.g. "ec2:DescribeInstances"), most frequent first.
   */
  values: string[];
  /** How many distinct values or labels there were in all (`values` may be cut). */
  distinctValues: number;
  /** The event that reached the threshold (or the last one that counted). */
  record: CloudTrailRecord;
  principal: Principal;
}

/** How many counted values an alert lists by name. */
export const MAX_BURST_VALUES = 20;

/** What the summary, severity and context functions of a threshold rule see besides the burst. */
export interface ThresholdContext<S> {
  settings: S;
}

/** The parts every threshold rule has, whichever way it reads records. */
interface ThresholdRuleBase<S extends ThresholdSettings> {
  kind: "threshold";
  /** `service.what-happened`, stable: alerts are consumed by id. */
  id: string;
  title: string;
  /** Default severity; `severityFor` may raise or lower it per burst. */
  severity: Severity;
  description: string;
  eventSources: readonly string[];
  eventNames: readonly string[] | "*";
  identityTypes?: readonly string[];
  /** When set, only records whose `eventType` is one of these are counted (see the single-event rule's `eventTypes`). */
  eventTypes?: readonly string[];
  /** When set, only records whose `errorCode` is one of these are counted (see the single-event rule's `errorCodes`). */
  errorCodes?: readonly string[];
  count: ThresholdCount;
  /** One sentence for people: who did how much of what, how fast. */
  summary(b: Burst, ctx: ThresholdContext<S>): string;
  severityFor?(b: Burst, ctx: ThresholdContext<S>): Severity;
  /** Facts beyond the burst's own (count, window, values), which every alert carries. */
  context?(b: Burst, ctx: ThresholdContext<S>): Record<string, unknown>;
  status?: RuleStatus;
  falsePositives?: readonly string[];
  runbook?: Runbook;
  references: AnyRule["references"];
  /** Threshold, window and dedup period (and the rule's own settings), validated, with defaults. */
  settings: { schema: z.core.$ZodType<S>; defaults: S };
  remediation?: undefined;
}

/** A threshold rule that reads validated records, like a single-event rule. */
export interface RecordThresholdRule<S extends ThresholdSettings = ThresholdSettings, M = true> extends ThresholdRuleBase<S> {
  /** By default only successful calls (no `errorCode`) are counted. */
  includeFailedCalls?: boolean;
  match(record: CloudTrailRecord, ctx: RuleContext<S>): MatchResult<M> | true;
  /** What the event counts toward; default: the actor (`actorKey`: the principal, with the session for role sessions). Undefined: not counted. */
  groupBy?(record: CloudTrailRecord, ctx: RuleContext<S>, m: M): string | undefined;
  /** `distinct`: the values this event contributes (e.g. every secret of a BatchGetSecretValue). */
  values?(record: CloudTrailRecord, ctx: RuleContext<S>, m: M): readonly string[];
  /** `events`: a short label of the event for the alert's breakdown; default `service:EventName`. */
  label?(record: CloudTrailRecord, ctx: RuleContext<S>, m: M): string;
  observeRaw?: undefined;
}

/** The fields a raw observer may read, before validation: every one of them must be type-checked. */
export type RawRecord = Record<string, unknown> & { eventSource: string; eventName: string; eventTime: string };

/** What a raw observer found in a record: the group it counts toward and the value it counts. */
export interface RawObservation {
  group: string;
  /** `distinct`: the value (or values) counted; `events`: the event id. */
  value: string | readonly string[];
  /** `events`: a short label of the event for the alert's breakdown. */
  label?: string;
}

/**
 * A threshold rule that watches (nearly) every record and so must not pay for validating each one:
 * `observeRaw` reads the raw record and must check the type of every field it touches; it must not
 * change it (views of one session's calls share their frozen `userIdentity`). Only the record that
 * raises an alert is validated. Declare `eventSources: ["*"]` with `identityTypes`.
 */
export interface RawThresholdRule<S extends ThresholdSettings = ThresholdSettings> extends ThresholdRuleBase<S> {
  observeRaw(raw: RawRecord, settings: S): RawObservation | undefined;
  /**
   * The top-level fields `observeRaw` reads besides `eventSource`, `eventName` and `eventTime`, when
   * they are all among the few a scan locates without parsing (`ViewField`): a record only such rules
   * see is then never parsed, and `observeRaw` gets a view holding just those fields. Leave it out
   * when the rule reads anything else. The record that raises an alert is parsed in full.
   */
  rawFields?: readonly ViewField[];
  includeFailedCalls?: undefined;
}

/** A threshold rule: counts matching events per group within a sliding window and alerts at a threshold. */
export type ThresholdRule<S extends ThresholdSettings = ThresholdSettings, M = true> = RecordThresholdRule<S, M> | RawThresholdRule<S>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyThresholdRule = RecordThresholdRule<any, any> | RawThresholdRule<any>;

/** Every rule of the catalog: single-event rules and threshold rules. */
export type CatalogRule = AnyRule | AnyThresholdRule;

/** Identity function that gives threshold rule files full type inference. */
export function defineThresholdRule<S extends ThresholdSettings = ThresholdSettings, M = true>(rule: RecordThresholdRule<S, M>): RecordThresholdRule<S, M>;
export function defineThresholdRule<S extends ThresholdSettings = ThresholdSettings>(rule: RawThresholdRule<S>): RawThresholdRule<S>;
export function defineThresholdRule(rule: AnyThresholdRule): AnyThresholdRule {
  return rule;
}

/** True for a threshold rule (a single-event rule has no `kind`). */
export function isThresholdRule(r: CatalogRule): r is AnyThresholdRule {
  return (r as { kind?: string }).kind === "threshold";
}

/** True for a threshold rule that reads raw records. */
export function isRawThresholdRule(r: CatalogRule): r is RawThresholdRule<ThresholdSettings> {
  return isThresholdRule(r) && typeof r.observeRaw === "function";
}

/** Settings of a threshold rule without settings of its own: the defaults given (no ignored principals), the common schema. */
export function thresholdSettings(defaults: Omit<ThresholdSettings, "ignorePrincipals"> & { ignorePrincipals?: string[] }): { schema: z.core.$ZodType<ThresholdSettings>; defaults: ThresholdSettings } {
  return { schema: thresholdSettingsSchema, defaults: { ignorePrincipals: [], ...defaults } };
}

/** How long a burst took, in words ("in 4 min", "within a minute"). */
export function burstSpan(b: Pick<Burst, "firstEventTime" | "lastEventTime">): string {
  const ms = Date.parse(b.lastEventTime) - Date.parse(b.firstEventTime);
  if (!Number.isFinite(ms) || ms < 60_000) return "within a minute";
  const min = Math.round(ms / 60_000);
  return min < 120 ? `in ${min} min` : `in ${Math.round(min / 60)} h`;
}

/** The first values of a burst for a sentence: "a, b, c and 9 more". */
export function listValues(b: Pick<Burst, "values" | "distinctValues">, n = 3): string {
  const shown = b.values.slice(0, n).join(", ");
  const more = b.distinctValues - Math.min(n, b.values.length);
  return more > 0 ? `${shown} and ${more} more` : shown;
}
