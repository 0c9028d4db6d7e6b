import { randomUUID } from "node:crypto";
import type { TokenSource } from "../secret-reference";
import { classifyHecResponse, type HecOutcome } from "./response";

/** Every outcome but success. */
export type HecFailure = Exclude<HecOutcome, { kind: "ok" }>;

/** HEC's endpoint for JSON events, from a base URL such as `https://splunk.example.com:8088`. */
export function hecEventUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
    // "splunk:8088" parses as scheme "splunk:" with no host: say what is missing rather than "null must use https".
    if (!url.hostname) throw new Error("no host");
  } catch {
    throw new Error(`HEC endpoint "${endpoint}" is not a URL; expected e.g. https://splunk.example.com:8088`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new Error(`HEC endpoint ${url.origin} must use https: the token would travel in clear text`);
  }
  if (url.username || url.password) throw new Error("HEC endpoint must not carry credentials in the URL; the token comes from the secret reference");
  if (url.search || url.hash) throw new Error("HEC endpoint must not have a query string or fragment");
  // Accept a base URL, or one that already names the collector path.
  const path = url.pathname.replace(/\/+$/, "").replace(/\/services\/collector(\/event)?(\/1\.0)?$/, "");
  return `${url.origin}${path}/services/collector/event`;
}

export interface HecClientOptions {
  /** Base URL of HEC (see `hecEventUrl`). */
  endpoint: string;
  token: TokenSource;
  /**
   * Channel id sent as `X-Splunk-Request-Channel`. A token with indexer acknowledgement refuses
   * requests without one (code 10); one random id per client is enough.
   */
  channel?: string;
  /** Replaceable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Posts request bodies to HEC and classifies the answer. Never throws for HTTP or network trouble:
 * every outcome is a value (see `HecOutcome`). The token is sent only in the Authorization header and
 * is removed from anything the client reports.
 */
export class HecClient {
  readonly url: string;
  /** Indexer acknowledgement endpoint (used when HEC answers with an `ackId`). */
  readonly ackUrl: string;
  readonly channel: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: HecClientOptions) {
    this.url = hecEventUrl(opts.endpoint);
    this.ackUrl = this.url.replace(/\/event$/, "/ack");
    this.channel = opts.channel ?? randomUUID();
    this.fetchFn = opts.fetch ?? fetch;
  }

  /**
   * Sends one body (one or more concatenated JSON events). `refreshToken` re-reads the token past its
   * cache (after HEC refused the cached one). Rejects only when the token cannot be read.
   */
  async post(body: string, timeoutMs: number, refreshToken = false): Promise<HecOutcome> {
    return this.request(this.url, body, timeoutMs, refreshToken, (status, text, res) => classifyHecResponse(status, text, res.headers.get("retry-after")));
  }

  /**
   * Asks which of the given ack ids are indexed (indexer acknowledgement, on the same channel). Answers
   * `{kind: "acks", acked}` or, when HEC could not tell, the failure as a `HecOutcome`.
   */
  async acks(ackIds: number[], timeoutMs: number): Promise<{ kind: "acks"; acked: Set<number> } | HecFailure> {
    return this.request(`${this.ackUrl}?channel=${encodeURIComponent(this.channel)}`, JSON.stringify({ acks: ackIds }), timeoutMs, false, (status, text, res) => {
      // Not 2xx: never "ok".
      if (status < 200 || status >= 300) return classifyHecResponse(status, text, res.headers.get("retry-after")) as HecFailure;
      // A 2xx is an answer only with HEC's `{"acks": {...}}`; anything else (a proxy page) confirms nothing.
      let acks: unknown;
      try {
        acks = (JSON.parse(text) as { acks?: unknown }).acks;
      } catch {
        acks = undefined;
      }
      if (!acks || typeof acks !== "object" || Array.isArray(acks)) return { kind: "retry", status, reason: `HTTP ${status}: not HEC's ack answer {"acks": {...}}` };
      return { kind: "acks", acked: new Set(Object.entries(acks).filter(([, v]) => v === true).map(([k]) => Number(k))) };
    });
  }

  private async request<T>(url: string, body: string, timeoutMs: number, refreshToken: boolean, read: (status: number, text: string, res: Response) => T): Promise<T | HecFailure> {
    const token = await this.opts.token.get(refreshToken);
    const redact = (s: string) => (token ? s.split(token).join("[redacted]") : s);
    try {
      const res = await this.fetchFn(url, {
        method: "POST",
        headers: {
          Authorization: `Splunk ${token}`,
          "Content-Type": "application/json",
          "X-Splunk-Request-Channel": this.channel,
        },
        body,
        // A redirect would send the token somewhere else: treat it as a configuration error.
        redirect: "error",
        signal: AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs))),
      });
      return read(res.status, redact(await res.text()), res);
    } catch (err) {
      return classifyFetchError(err, timeoutMs, redact);
    }
  }
}

function classifyFetchError(err: unknown, timeoutMs: number, redact: (s: string) => string): HecFailure {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return { kind: "retry", reason: `no answer within ${timeoutMs} ms` };
  const cause = e?.cause;
  if (cause?.message && /redirect/i.test(cause.message)) {
    return { kind: "reject-request", reason: `HEC answered with a redirect, which is not followed (the token must not leave the configured host)` };
  }
  const detail = redact(cause?.code ? `${cause.code} ${cause.message ?? ""}`.trim() : (e?.message ?? String(err)));
  return { kind: "retry", reason: `connection failed: ${detail}` };
}
