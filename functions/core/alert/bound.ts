import type { Alert, RemediationResult } from "./alert";

/**
 * Limits of what an alert may carry. Alert context is copied from records an attacker can write
 * (request parameters of any shape, names of any length), so it is cut to these limits when the
 * alert is built: nothing downstream (JSON, e-mail text, the CLI table, SNS, Splunk) then meets a
 * value it cannot render in bounded time and space.
 */
export interface ValueLimits {
  /** Levels of objects and arrays below the bounded value; a deeper container becomes a marker. */
  maxDepth: number;
  /** Characters (UTF-16 code units) per string, marker included. */
  maxString: number;
  /** Items per array, marker included. */
  maxItems: number;
  /** Keys per object, marker included. */
  maxKeys: number;
  /** Approximate UTF-8 bytes of the whole value as JSON; what does not fit is left out with a marker. */
  maxBytes: number;
}

/** Limits of `alert.context` (and of any other structured value an alert carries). */
export const CONTEXT_LIMITS: Readonly<ValueLimits> = Object.freeze({ maxDepth: 8, maxString: 4096, maxItems: 100, maxKeys: 100, maxBytes: 32 * 1024 });

/** Characters of the alert's string fields (they come from records, so an attacker chooses them too). */
export const FIELD_LIMITS = Object.freeze({
  summary: 2000,
  /** ARNs: a role ARN with the longest IAM path stays well under this. */
  principal: 1024,
  /** Remediation detail (it quotes names and AWS error messages). */
  detail: 2000,
  /** Every other string field (ids, names, times, titles). */
  other: 256,
  /** Object keys inside context. */
  key: 256,
});

/** Every marker starts with this, so a reader (or a test) can tell that something was cut. */
export const TRUNCATION_MARKER = "[truncated";

/** The context key that says the context was cut, and to which limits. */
export const TRUNCATED_KEY = "_truncated";

/** Room kept in the byte budget for the markers of the containers still open. */
const MARKER_RESERVE = 64;

const utf8 = new TextEncoder();
/** UTF-8 bytes of `s` as a JSON string (escapes included), without building it for short plain strings. */
const jsonBytes = (s: string): number => (s.length < 64 && /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s) ? s.length + 2 : utf8.encode(JSON.stringify(s)).length);

/**
 * Cuts a string to at most `max` characters, marker included, without splitting a surrogate pair.
 * A string within the limit is returned as it is, so clipping twice gives the same string.
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const marker = `...${TRUNCATION_MARKER}: ${s.length.toLocaleString("en-US")} chars in all]`;
  let cut = Math.max(0, max - marker.length);
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return (s.slice(0, cut) + marker).slice(0, max);
}

/** What {@link boundValue} did. */
export interface Bounded {
  value: unknown;
  /** True when anything was cut or replaced. */
  truncated: boolean;
}

/**
 * Turns any value into plain JSON data within `limits`, never throwing:
 * - strings, arrays and objects are cut with a visible `[truncated ...]` marker;
 * - containers nested deeper than `maxDepth` and what exceeds `maxBytes` become markers;
 * - what JSON cannot hold is made readable: bigint -> its digits, NaN/Infinity -> their names,
 *   Date -> ISO time, Map -> object, Set -> array, Error -> name and message, functions and symbols
 *   -> a marker, a cycle -> `[cycle]`, a property whose getter throws -> `[unreadable]`;
 * - `undefined` is dropped from objects and becomes null in arrays (what JSON.stringify does).
 *
 * Recursion is bounded by `maxDepth`, so a 10,000-deep value costs at most `maxDepth` frames.
 */
export function boundValue(v: unknown, limits: ValueLimits = CONTEXT_LIMITS): Bounded {
  const state = { budget: limits.maxBytes, truncated: false };
  const ancestors = new Set<object>();

  const str = (s: string): string => {
    // A string never takes more than what is left of the budget (a short marker always fits).
    const room = Math.max(48, state.budget - MARKER_RESERVE);
    let out = clip(s, Math.min(limits.maxString, room));
    let bytes = jsonBytes(out);
    for (let i = 0; i < 3 && bytes > room && out.length > 48; i++) {
      out = clip(s, Math.max(48, Math.floor((out.length * room) / bytes) - 8));
      bytes = jsonBytes(out);
    }
    if (out !== s) state.truncated = true;
    state.budget -= bytes + 1;
    return out;
  };

  const walk = (x: unknown, depth: number): unknown => {
    switch (typeof x) {
      case "string":
        return str(x);
      case "number":
        state.budget -= 24;
        if (Number.isFinite(x)) return x;
        state.truncated = true;
        return String(x);
      case "boolean":
        state.budget -= 5;
        return x;
      case "bigint":
        state.truncated = true;
        return str(x.toString());
      case "undefined":
        return undefined;
      case "function":
        state.truncated = true;
        return str("[function]");
      case "symbol":
        state.truncated = true;
        return str("[symbol]");
    }
    if (x === null) {
      state.budget -= 4;
      return null;
    }
    const obj = x as object;
    if (obj instanceof Date) return str(Number.isFinite(obj.getTime()) ? obj.toISOString() : "[invalid date]");
    if (ancestors.has(obj)) {
      state.truncated = true;
      return str("[cycle]");
    }
    if (depth >= limits.maxDepth) {
      state.truncated = true;
      return str(`${TRUNCATION_MARKER}: nested deeper than ${limits.maxDepth} levels]`);
    }
    ancestors.add(obj);
    try {
      if (Array.isArray(obj) || obj instanceof Set) return walkItems(Array.isArray(obj) ? obj : [...obj], depth);
      if (obj instanceof Map) return walkEntries([...(obj as Map<unknown, unknown>)].map(([k, val]) => [String(k), () => val]), depth);
      if (obj instanceof Error) return walkEntries([["name", () => obj.name], ["message", () => obj.message]], depth);
      let keys: string[];
      try {
        keys = Object.keys(obj);
      } catch {
        state.truncated = true;
        return str("[unreadable]");
      }
      return walkEntries(keys.map((k) => [k, () => (obj as Record<string, unknown>)[k]]), depth);
    } finally {
      ancestors.delete(obj);
    }
  };

  const walkItems = (items: readonly unknown[], depth: number): unknown[] => {
    state.budget -= 2;
    const out: unknown[] = [];
    const n = items.length;
    for (let i = 0; i < n; i++) {
      const room = out.length >= limits.maxItems - 1 && i < n - 1 ? "items" : state.budget < MARKER_RESERVE ? "bytes" : undefined;
      if (room) {
        state.truncated = true;
        out.push(`${TRUNCATION_MARKER}: ${(n - i).toLocaleString("en-US")} more item(s)${room === "bytes" ? `, size limit ${limits.maxBytes.toLocaleString("en-US")} bytes` : ""}]`);
        break;
      }
      let item: unknown;
      try {
        item = items[i];
      } catch {
        state.truncated = true;
        item = "[unreadable]";
      }
      const w = walk(item, depth + 1);
      out.push(w === undefined ? null : w);
      state.budget -= 1;
    }
    return out;
  };

  const walkEntries = (entries: [string, () => unknown][], depth: number): Record<string, unknown> => {
    state.budget -= 2;
    const out: Record<string, unknown> = {};
    let kept = 0;
    const n = entries.length;
    for (let i = 0; i < n; i++) {
      const room = kept >= limits.maxKeys - 1 && i < n - 1 ? "keys" : state.budget < MARKER_RESERVE ? "bytes" : undefined;
      if (room) {
        state.truncated = true;
        out["..."] = `${TRUNCATION_MARKER}: ${(n - i).toLocaleString("en-US")} more key(s)${room === "bytes" ? `, size limit ${limits.maxBytes.toLocaleString("en-US")} bytes` : ""}]`;
        break;
      }
      const [rawKey, read] = entries[i]!;
      let key = clip(rawKey, FIELD_LIMITS.key);
      if (key !== rawKey) {
        state.truncated = true;
        // Long keys that differ only after the cut must not overwrite each other.
        if (Object.prototype.hasOwnProperty.call(out, key)) key = `${clip(rawKey, FIELD_LIMITS.key - 8)}#${i}`;
      }
      let value: unknown;
      try {
        value = read();
      } catch {
        state.truncated = true;
        value = "[unreadable]";
      }
      const w = walk(value, depth + 1);
      if (w === undefined) continue;
      // Own data properties only: a key such as "__proto__" must stay a key, not change the prototype.
      Object.defineProperty(out, key, { value: w, enumerable: true, writable: true, configurable: true });
      kept++;
      state.budget -= jsonBytes(key) + 2;
    }
    return out;
  };

  const value = walk(v, 0);
  return { value, truncated: state.truncated };
}

/**
 * An alert context within {@link CONTEXT_LIMITS}: always a plain object; when anything was cut,
 * `_truncated` says so (and to which limits) at the top, where a reader sees it first.
 */
export function boundContext(context: unknown, limits: ValueLimits = CONTEXT_LIMITS): Record<string, unknown> {
  const isObject = context !== null && typeof context === "object" && !Array.isArray(context);
  const { value, truncated } = boundValue(isObject ? context : { value: context }, limits);
  const out = (value && typeof value === "object" && !Array.isArray(value) ? value : { value }) as Record<string, unknown>;
  if (!truncated || TRUNCATED_KEY in out) return out;
  const note = `context cut to trailwatch's limits (depth ${limits.maxDepth}, ${limits.maxString.toLocaleString("en-US")} characters per string, ${limits.maxItems} items per list, ${limits.maxKeys} keys per object, about ${Math.round(limits.maxBytes / 1024)} KiB in all); cut places say ${TRUNCATION_MARKER} ...]`;
  return { [TRUNCATED_KEY]: note, ...out };
}

const text = (v: unknown, max: number): string => clip(typeof v === "string" ? v : v === undefined || v === null ? "" : String(boundValue(v, { ...CONTEXT_LIMITS, maxDepth: 0 }).value), max);

function boundRemediation(r: RemediationResult | null | undefined): RemediationResult | null {
  if (!r || typeof r !== "object") return null;
  const mode = r.mode === "apply" ? "apply" : "dry-run";
  const status = (["succeeded", "failed", "skipped", "planned"] as const).find((s) => s === r.status) ?? "failed";
  const extra = boundValue(Object.fromEntries(Object.entries(r).filter(([k]) => !["action", "mode", "status", "detail"].includes(k))), { ...CONTEXT_LIMITS, maxBytes: 4096 }).value as Record<string, unknown>;
  return { ...extra, action: text(r.action, FIELD_LIMITS.other), mode, status, detail: text(r.detail, FIELD_LIMITS.detail) };
}

/** References are technique ids (`T1562.008`, `aws.defense-evasion.cloudtrail-stop`): a few short strings. */
function boundList(l: unknown): string[] | undefined {
  if (!Array.isArray(l)) return undefined;
  return l.slice(0, 10).map((x) => text(x, 64));
}

/** Runbook steps are sentences from the rule definitions: a few, each of bounded length. */
function boundSteps(l: unknown): string[] {
  return Array.isArray(l) ? l.slice(0, 5).map((x) => text(x, 512)) : [];
}

function boundRunbook(rb: unknown): Alert["runbook"] {
  if (!rb || typeof rb !== "object") return undefined;
  const r = rb as { triage?: unknown; contain?: unknown };
  return { triage: boundSteps(r.triage), contain: boundSteps(r.contain) };
}

const KNOWN = new Set(["id", "rule", "title", "severity", "account", "region", "principal", "principalType", "eventSource", "eventName", "eventTime", "eventId", "summary", "context", "remediation", "references", "runbook", "occurrences", "lastEventTime"]);

/**
 * The alert within trailwatch's limits: every string field clipped ({@link FIELD_LIMITS}), the
 * context bounded ({@link CONTEXT_LIMITS}), remediation, references and runbook steps made plain, and any other
 * field bounded too. Applied where alerts are built and again before they are sent or written (it
 * is cheap on an alert within the limits, and clipping twice changes nothing), so a renderer never
 * meets a value it cannot handle.
 */
export function boundAlert(a: Alert, limits: ValueLimits = CONTEXT_LIMITS): Alert {
  const other = FIELD_LIMITS.other;
  const extras = Object.entries(a).filter(([k]) => !KNOWN.has(k));
  const refs = a.references && typeof a.references === "object" ? a.references : undefined;
  const mitre = boundList(refs?.mitre);
  const stratus = boundList(refs?.stratus);
  const runbook = boundRunbook(a.runbook);
  const out: Alert = {
    ...(extras.length ? (boundValue(Object.fromEntries(extras), { ...limits, maxBytes: 4096 }).value as Record<string, unknown>) : {}),
    id: text(a.id, other),
    rule: text(a.rule, other),
    title: text(a.title, other),
    severity: a.severity,
    account: text(a.account, other),
    region: text(a.region, other),
    principal: text(a.principal, FIELD_LIMITS.principal),
    ...(a.principalType !== undefined ? { principalType: text(a.principalType, other) } : {}),
    eventSource: text(a.eventSource, other),
    eventName: text(a.eventName, other),
    eventTime: text(a.eventTime, other),
    eventId: a.eventId === null || a.eventId === undefined ? null : text(a.eventId, other),
    summary: text(a.summary, FIELD_LIMITS.summary),
    context: boundContext(a.context, limits),
    remediation: boundRemediation(a.remediation),
    ...(refs ? { references: { ...(mitre ? { mitre } : {}), ...(stratus ? { stratus } : {}) } } : {}),
    ...(runbook ? { runbook } : {}),
    ...(typeof a.occurrences === "number" && Number.isFinite(a.occurrences) ? { occurrences: a.occurrences } : {}),
    ...(a.lastEventTime !== undefined ? { lastEventTime: text(a.lastEventTime, other) } : {}),
  };
  return out;
}
