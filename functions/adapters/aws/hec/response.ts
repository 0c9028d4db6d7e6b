import { visible } from "../../../core/alert/escape";

/**
 * What one HEC request came to. HEC answers `{"text": "...", "code": n}` (plus `invalid-event-number`
 * for a batch with a bad event and `ackId` when indexer acknowledgement is on).
 */
export type HecOutcome =
  | { kind: "ok"; status: number; ackId?: number }
  /** Worth trying again later: 429, 5xx, 408, timeouts, connection errors. */
  | { kind: "retry"; status?: number; reason: string; retryAfterMs?: number }
  /** The token was refused (401/403): token missing, invalid or disabled. */
  | { kind: "auth"; status: number; reason: string }
  /** The request itself is wrong whatever it carries (wrong URL, channel, redirect): applies to every event. */
  | { kind: "reject-request"; status?: number; reason: string }
  /** The data was refused (400 invalid data, 413 too large): some event in the batch is bad. */
  | { kind: "reject-events"; status: number; reason: string; invalidEventNumber?: number };

/** HEC status codes that describe the request (token, channel, auth mode), not the events in it. */
const REQUEST_LEVEL_CODES = new Set([1, 2, 3, 4, 10, 11, 14, 16]);
const AUTH_CODES = new Set([1, 2, 3, 4]);

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** HEC's JSON reply, when the body is one. */
export interface HecReply {
  text?: string;
  code?: number;
  invalidEventNumber?: number;
  ackId?: number;
}

export function parseHecReply(body: string): HecReply {
  try {
    const o = JSON.parse(body) as Record<string, unknown>;
    if (!o || typeof o !== "object") return {};
    const num = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
    return {
      text: typeof o.text === "string" ? o.text : undefined,
      code: num(o.code),
      invalidEventNumber: num(o["invalid-event-number"]),
      ackId: num(o.ackId),
    };
  } catch {
    return {};
  }
}

/** True for HEC's answer to accepted events: `{"text":"Success","code":0}` (plus `ackId` with indexer acknowledgement). */
export function isHecSuccess(reply: HecReply): boolean {
  return reply.code === 0 && reply.text === "Success";
}

/**
 * Classifies an HTTP answer from HEC; the reason quotes HEC's `text` and `code` (or the start of the
 * body, control characters escaped). A 2xx counts as delivered only with HEC's success answer: a
 * proxy, load balancer or maintenance page that answers 200 with anything else has indexed nothing,
 * so it is a failure to retry, not a delivery.
 */
export function classifyHecResponse(status: number, body: string, retryAfter: string | null, now?: number): HecOutcome {
  const reply = parseHecReply(body);
  const shown = reply.text !== undefined ? `${visible(reply.text)}${reply.code !== undefined ? ` (code ${reply.code})` : ""}` : visible(body.slice(0, 200));
  const reason = `HTTP ${status}${shown ? `: ${shown}` : ""}`;
  if (status >= 200 && status < 300) {
    if (isHecSuccess(reply)) return { kind: "ok", status, ...(reply.ackId !== undefined ? { ackId: reply.ackId } : {}) };
    return { kind: "retry", status, reason: `${reason} (not HEC's success answer {"text":"Success","code":0}: a proxy or maintenance page? nothing counts as delivered)` };
  }
  if (status === 401 || status === 403 || (reply.code !== undefined && AUTH_CODES.has(reply.code))) return { kind: "auth", status, reason };
  if (status === 429 || status === 408 || status >= 500) {
    const ms = parseRetryAfter(retryAfter, now);
    return { kind: "retry", status, reason, ...(ms !== undefined ? { retryAfterMs: ms } : {}) };
  }
  if (status === 413) return { kind: "reject-events", status, reason };
  if (status === 400 && !(reply.code !== undefined && REQUEST_LEVEL_CODES.has(reply.code))) {
    return { kind: "reject-events", status, reason, ...(reply.invalidEventNumber !== undefined ? { invalidEventNumber: reply.invalidEventNumber } : {}) };
  }
  return { kind: "reject-request", status, reason };
}
