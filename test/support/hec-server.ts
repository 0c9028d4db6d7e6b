import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopback";

/**
 * A small local Splunk HTTP Event Collector for tests. It speaks the parts of the protocol trailwatch
 * uses: `POST /services/collector/event`, `Authorization: Splunk <token>`, a body of one or more
 * concatenated JSON event objects, and HEC's JSON replies (`{"text": ..., "code": n}` with
 * `invalid-event-number` for a bad event in a batch). It records every request it got and every event
 * it accepted (only events of requests it answered 200 count as accepted: a rejected or unanswered
 * request indexes nothing), and it can be told to fail the next requests.
 */

/** An event as HEC received it. */
export interface ReceivedEvent {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
  fields?: Record<string, unknown>;
  [k: string]: unknown;
}

/** What the next request(s) should get instead of normal processing. */
export type HecFault =
  | { status: 500 | 502 | 503 | 504; retryAfter?: string }
  | { status: 429; retryAfter?: string }
  | { status: 400; code?: number; text?: string }
  | { status: 401 | 403; code?: number; text?: string }
  | { status: 413 }
  /**
   * A 2xx that is not HEC's answer: what a proxy, load balancer or maintenance page in front of
   * Splunk sends. Nothing is indexed.
   */
  | { status: 200 | 202 | 204; page: string; contentType?: string }
  /** Read the request, never answer (the client must time out). */
  | "hang"
  /** Accept the connection and destroy it without an answer. */
  | "reset";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** Events parsed from the body (up to the first invalid one). */
  events: ReceivedEvent[];
  /** Status answered; undefined for a hang or reset. */
  status?: number;
  reply?: unknown;
  fault?: HecFault;
}

export interface HecServerOptions {
  /** The token HEC accepts (change it later with `setToken`). */
  token: string;
  /** Top-level keys every event must carry (default `["event"]`, as Splunk). */
  requiredFields?: string[];
  /** Indexes the token may write to; an event naming another gets code 7 "Incorrect index". */
  allowedIndexes?: string[];
  /**
   * Indexer acknowledgement on: event requests need a channel (else code 10), successes carry an
   * `ackId`, and `POST /services/collector/ack?channel=...` answers `{"acks": {"<id>": true|false}}`;
   * an id turns true after it was polled `pollsBeforeAck` times (default 0: at the first poll).
   */
  ack?: { pollsBeforeAck?: number };
}

export interface LocalHec {
  /** Base URL, e.g. http://127.0.0.1:54321 (pass as HEC_ENDPOINT). */
  url: string;
  requests: RecordedRequest[];
  /** Events of requests answered 200, in arrival order. */
  accepted: ReceivedEvent[];
  /** The next `n` requests get `fault` (queued after faults already pending). */
  failNext(n: number, fault: HecFault): void;
  /**
   * Events for which `pred` returns a reason are refused like Splunk refuses bad data: 400 with
   * code 6 and `invalid-event-number` of the first one (omit the number with `reportNumber: false`).
   */
  rejectEvents(pred: (e: ReceivedEvent) => boolean, opts?: { reportNumber?: boolean; code?: number; text?: string }): void;
  setToken(token: string): void;
  /** Count of requests that were answered with `status`. */
  countStatus(status: number): number;
  /** While held, ack polls answer false for every id (an indexer that does not catch up). */
  holdAcks(held: boolean): void;
  stop(): Promise<void>;
}

const EVENT_PATH = "/services/collector/event";
const ACK_PATH = "/services/collector/ack";

type Reply = { status: number; body: Record<string, unknown> | string; headers?: Record<string, string> };

/** Splits a body of concatenated JSON objects; stops at the first one that is not valid JSON. */
export function splitConcatenatedJson(body: string): { objects: unknown[]; invalidAt?: number } {
  const objects: unknown[] = [];
  let i = 0;
  const n = body.length;
  while (true) {
    while (i < n && /\s/.test(body[i]!)) i++;
    if (i >= n) return { objects };
    if (body[i] !== "{") return { objects, invalidAt: objects.length };
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < n; j++) {
      const c = body[j]!;
      if (inString) {
        if (c === "\\") j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) break;
      }
    }
    if (j >= n) return { objects, invalidAt: objects.length };
    try {
      objects.push(JSON.parse(body.slice(i, j + 1)));
    } catch {
      return { objects, invalidAt: objects.length };
    }
    i = j + 1;
  }
}

function validateEvent(ev: unknown, opts: HecServerOptions): { code: number; text: string } | undefined {
  if (!ev || typeof ev !== "object" || Array.isArray(ev)) return { code: 6, text: "Invalid data format" };
  const e = ev as Record<string, unknown>;
  for (const f of opts.requiredFields ?? ["event"]) {
    if (!(f in e)) return f === "event" ? { code: 12, text: "Event field is required" } : { code: 6, text: "Invalid data format" };
  }
  if ("event" in e && (e.event === "" || e.event === null)) return { code: 13, text: "Event field cannot be blank" };
  if ("time" in e && typeof e.time !== "number" && !(typeof e.time === "string" && /^\d+(\.\d+)?$/.test(e.time))) {
    return { code: 6, text: "Invalid data format" };
  }
  for (const k of ["host", "source", "sourcetype", "index"]) {
    if (k in e && typeof e[k] !== "string") return { code: 6, text: "Invalid data format" };
  }
  if ("fields" in e) {
    const f = e.fields;
    if (!f || typeof f !== "object" || Array.isArray(f)) return { code: 15, text: "Error in handling indexed fields" };
    for (const v of Object.values(f)) {
      const ok = typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));
      if (!ok) return { code: 15, text: "Error in handling indexed fields" };
    }
  }
  if (opts.allowedIndexes && typeof e.index === "string" && !opts.allowedIndexes.includes(e.index)) {
    return { code: 7, text: "Incorrect index" };
  }
  return undefined;
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startHecServer(opts: HecServerOptions): Promise<LocalHec> {
  let token = opts.token;
  const faults: HecFault[] = [];
  const requests: RecordedRequest[] = [];
  const accepted: ReceivedEvent[] = [];
  let rejecter: { pred: (e: ReceivedEvent) => boolean; reportNumber: boolean; code: number; text: string } | undefined;
  const acks = new Map<string, { next: number; polls: Map<number, number> }>();
  let acksHeld = false;

  function channelOf(req: IncomingMessage): string | undefined {
    const fromQuery = new URL(req.url ?? "/", "http://x").searchParams.get("channel");
    const h = req.headers["x-splunk-request-channel"];
    return fromQuery ?? (typeof h === "string" ? h : undefined);
  }

  function handleAck(req: IncomingMessage, body: string): Reply {
    const channel = channelOf(req);
    if (!opts.ack) return { status: 400, body: { text: "ACK is disabled", code: 14 } };
    if (!channel) return { status: 400, body: { text: "Data channel is missing", code: 10 } };
    const state = acks.get(channel);
    if (!state) return { status: 400, body: { text: "Invalid data channel", code: 11 } };
    let ids: unknown;
    try {
      ids = (JSON.parse(body) as { acks?: unknown }).acks;
    } catch {
      return { status: 400, body: { text: "Invalid data format", code: 6 } };
    }
    if (!Array.isArray(ids)) return { status: 400, body: { text: "Invalid data format", code: 6 } };
    const answer: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const polled = state.polls.get(id);
      if (polled === undefined) {
        answer[String(id)] = false;
        continue;
      }
      state.polls.set(id, polled + 1);
      answer[String(id)] = !acksHeld && polled >= (opts.ack.pollsBeforeAck ?? 0);
    }
    return { status: 200, body: { acks: answer } };
  }

  function handle(req: IncomingMessage, body: string): Reply | "hang" | "reset" {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "POST") return { status: 405, body: { text: "Method Not Allowed", code: 404 } };
    if (path !== EVENT_PATH && path !== ACK_PATH) return { status: 404, body: { text: "The requested URL was not found on this server.", code: 404 } };
    const auth = req.headers.authorization;
    if (!auth) return { status: 401, body: { text: "Token is required", code: 2 } };
    const m = /^Splunk (\S+)$/.exec(auth);
    if (!m) return { status: 401, body: { text: "Invalid authorization", code: 3 } };
    if (path === ACK_PATH) return m[1] === token ? handleAck(req, body) : { status: 403, body: { text: "Invalid token", code: 4 } };
    const fault = faults.shift();
    if (fault !== undefined) {
      if (fault === "hang" || fault === "reset") return fault;
      switch (fault.status) {
        case 429:
          return { status: 429, body: { text: "Too many requests", code: 9 }, headers: fault.retryAfter ? { "Retry-After": fault.retryAfter } : {} };
        case 500:
        case 502:
        case 504:
          return { status: fault.status, body: { text: "Internal server error", code: 8 }, headers: fault.retryAfter ? { "Retry-After": fault.retryAfter } : {} };
        case 503:
          return { status: 503, body: { text: "Server is busy", code: 9 }, headers: fault.retryAfter ? { "Retry-After": fault.retryAfter } : {} };
        case 400:
          return { status: 400, body: { text: fault.text ?? "Invalid data format", code: fault.code ?? 6 } };
        case 401:
        case 403:
          return { status: fault.status, body: { text: fault.text ?? "Invalid token", code: fault.code ?? 4 } };
        case 413:
          return { status: 413, body: { text: "Content too large", code: 413 } };
        case 200:
        case 202:
        case 204:
          return { status: fault.status, body: fault.page, headers: { "Content-Type": fault.contentType ?? "text/html" } };
      }
    }
    if (m[1] !== token) return { status: 403, body: { text: "Invalid token", code: 4 } };
    const { objects, invalidAt } = splitConcatenatedJson(body);
    if (objects.length === 0 && invalidAt === undefined) return { status: 400, body: { text: "No data", code: 5 } };
    if (invalidAt !== undefined) return { status: 400, body: { text: "Invalid data format", code: 6, "invalid-event-number": invalidAt } };
    for (let i = 0; i < objects.length; i++) {
      const bad = validateEvent(objects[i], opts);
      if (bad) return { status: 400, body: { ...bad, "invalid-event-number": i } };
      if (rejecter?.pred(objects[i] as ReceivedEvent)) {
        return { status: 400, body: { text: rejecter.text, code: rejecter.code, ...(rejecter.reportNumber ? { "invalid-event-number": i } : {}) } };
      }
    }
    if (opts.ack) {
      const channel = channelOf(req);
      if (!channel) return { status: 400, body: { text: "Data channel is missing", code: 10 } };
      const state = acks.get(channel) ?? { next: 0, polls: new Map<number, number>() };
      acks.set(channel, state);
      const ackId = state.next++;
      state.polls.set(ackId, 0);
      accepted.push(...(objects as ReceivedEvent[]));
      return { status: 200, body: { text: "Success", code: 0, ackId } };
    }
    accepted.push(...(objects as ReceivedEvent[]));
    return { status: 200, body: { text: "Success", code: 0 } };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const rec: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        events: splitConcatenatedJson(body).objects as ReceivedEvent[],
      };
      requests.push(rec);
      const out = handle(req, body);
      if (out === "hang") {
        rec.fault = out;
        return;
      }
      if (out === "reset") {
        rec.fault = out;
        req.socket.destroy();
        return;
      }
      {
        rec.status = out.status;
        rec.reply = out.body;
        res.writeHead(out.status, { "Content-Type": "application/json", ...(out.headers ?? {}) });
        res.end(typeof out.body === "string" ? out.body : JSON.stringify(out.body));
      }
    });
  });
  const url = await listenOnLoopback(server);

  return {
    url,
    requests,
    accepted,
    failNext(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    rejectEvents(pred, o = {}) {
      rejecter = { pred, reportNumber: o.reportNumber ?? true, code: o.code ?? 6, text: o.text ?? "Invalid data format" };
    },
    setToken(t) {
      token = t;
    },
    holdAcks(held) {
      acksHeld = held;
    },
    countStatus(status) {
      return requests.filter((r) => r.status === status).length;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
