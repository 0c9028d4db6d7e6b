import { alertId, severityRank, type Alert, type Severity } from "../alert/alert";
import { boundAlert } from "../alert/bound";
import { resolvePrincipal, type Principal } from "../record/principal";
import { accountOf, isFailedCall, parseRecord, type CloudTrailRecord } from "../record/schema";
import * as z from "../zod";
import type { AnyRule, RuleContext } from "./rule";

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

/** Outcome of evaluating one raw record. */
export type Evaluation =
  | { kind: "findings"; findings: Finding[] }
  | { kind: "invalid"; reason: string };

/** Raised when configuration names an unknown rule or gives settings a rule rejects. */
export class RuleConfigError extends Error {
  override name = "RuleConfigError";
}

const NO_FINDINGS: Evaluation = { kind: "findings", findings: [] };

/**
 * Runs a rule catalog over CloudTrail records.
 *
 * Rules are indexed by eventSource and eventName; a record only meets the rules that could match
 * it, and the full zod validation runs only for those records. A rule that throws does not stop the
 * run: the error is counted per rule (see `ruleErrors`) and the other rules still run.
 */
export class RuleEngine {
  readonly rules: readonly AnyRule[];
  private readonly bySource = new Map<string, { byName: Map<string, AnyRule[]>; anyName: AnyRule[] }>();
  private readonly cache = new Map<string, AnyRule[]>();
  /** Rules declared for every event source (`eventSources: ["*"]`). */
  private readonly anySource: AnyRule[] = [];
  /** Candidate lists that hold a rule with `identityTypes` or `eventTypes` (filtered per record). */
  private readonly needsRawFilter = new WeakSet<AnyRule[]>();
  private readonly settings = new Map<string, unknown>();
  private readonly minRank: number;
  /** Count of exceptions thrown per rule id, with the first message. */
  readonly ruleErrors = new Map<string, { count: number; first: string }>();

  constructor(catalog: readonly AnyRule[], opts: EngineOptions = {}) {
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
      for (const src of rule.eventSources) {
        let entry = this.bySource.get(src);
        if (!entry) this.bySource.set(src, (entry = { byName: new Map(), anyName: [] }));
        if (rule.eventNames === "*") entry.anyName.push(rule);
        else for (const n of rule.eventNames) {
          const list = entry.byName.get(n) ?? [];
          list.push(rule);
          entry.byName.set(n, list);
        }
      }
    }
  }

  /** Rules that could match this (eventSource, eventName); cached per pair. */
  candidates(eventSource: string, eventName: string): AnyRule[] {
    const key = eventSource + "\u0000" + eventName;
    let list = this.cache.get(key);
    if (list === undefined) {
      const entry = this.bySource.get(eventSource);
      list = entry ? [...(entry.byName.get(eventName) ?? []), ...entry.anyName] : [];
      for (const r of this.anySource) if (r.eventNames === "*" || r.eventNames.includes(eventName)) list.push(r);
      if (list.some((r) => r.identityTypes || r.eventTypes)) this.needsRawFilter.add(list);
      this.cache.set(key, list);
    }
    return list;
  }

  /**
   * Evaluates one record that already has string eventSource/eventName/eventTime
   * (see `missingRequiredField`).
   */
  evaluate(raw: { eventSource: string; eventName: string }): Evaluation {
    let candidates = this.candidates(raw.eventSource, raw.eventName);
    if (candidates.length === 0) return NO_FINDINGS;
    if (this.needsRawFilter.has(candidates)) {
      const type = rawIdentityType(raw);
      const eventType = rawEventType(raw);
      candidates = candidates.filter((r) =>
        (!r.identityTypes || (type !== undefined && r.identityTypes.includes(type))) &&
        (!r.eventTypes || (eventType !== undefined && r.eventTypes.includes(eventType))));
      if (candidates.length === 0) return NO_FINDINGS;
    }
    const parsed = parseRecord(raw);
    if (!parsed.ok) return { kind: "invalid", reason: parsed.reason };
    const record = parsed.record;
    const failed = isFailedCall(record);
    const principal = resolvePrincipal(record.userIdentity);
    const findings: Finding[] = [];
    for (const rule of candidates) {
      if (failed && !rule.includeFailedCalls) continue;
      const ctx: RuleContext<unknown> = { settings: this.settings.get(rule.id), principal };
      try {
        const m: unknown = rule.match(record, ctx);
        if (m === false || m === null || m === undefined) continue;
        const severity = rule.severityFor ? rule.severityFor(record, ctx, m) : rule.severity;
        if (severityRank(severity) < this.minRank) continue;
        findings.push({ rule, record, principal, severity, ctx, match: m });
      } catch (err) {
        const e = this.ruleErrors.get(rule.id);
        if (e) e.count++;
        else this.ruleErrors.set(rule.id, { count: 1, first: err instanceof Error ? err.message : String(err) });
      }
    }
    return findings.length ? { kind: "findings", findings } : NO_FINDINGS;
  }
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

function resolveSettings(rule: AnyRule, given: unknown): unknown {
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
    account: accountOf(r),
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
  });
}

/** `fn()`, or `fallback(message)` when it throws: a rule failing on one odd record still yields its alert. */
function attempt<T>(fn: () => T, fallback: (message: string) => T): T {
  try {
    return fn();
  } catch (e) {
    return fallback(e instanceof Error ? e.message : String(e));
  }
}
