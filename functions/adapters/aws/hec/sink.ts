import type { Alert } from "../../../core/alert/alert";
import { boundAlert } from "../../../core/alert/bound";
import type { AlertSink } from "../../../core/ports";
import type { HecClient } from "./client";
import { toHecEvent, type HecEventSettings } from "./event";
import type { HecOutcome } from "./response";
import { backoffDelay } from "../retry";
import { splitIntoBatches } from "../../../core/batches";

/** One alert to deliver, under a key the caller uses to map results back (e.g. the alert id). */
export interface HecDeliveryItem {
  key: string;
  alert: Alert;
}

/** What became of each item: delivered, refused for good (dead-letter it), or deferred (try later). */
export interface DeliveryReport {
  delivered: string[];
  rejected: { key: string; reason: string }[];
  deferred: { key: string; reason: string }[];
  /** HTTP requests made (including retries and bisection). */
  requests: number;
  retries: number;
}

export interface HecRetryOptions {
  /** First backoff step (default 200 ms); the n-th retry waits a random time up to base * 2^n. */
  baseDelayMs?: number;
  /** Cap of one backoff step (default 5 s). */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured (default 30 s); a longer one ends the attempt (deferred). */
  maxRetryAfterMs?: number;
  /** Attempts per request, the first included (default 6). */
  maxAttempts?: number;
}

/** The logging a sink does (Powertools Logger fits). */
export interface SinkLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface HecSinkOptions {
  /** Size cap of one request body (default 512 KiB); an event larger than that goes alone. */
  maxBatchBytes?: number;
  /** Timeout of one request (default 10 s), shortened to what is left before the deadline. */
  requestTimeoutMs?: number;
  /**
   * Polling of indexer acknowledgements, used only when HEC answers with an `ackId` (a token with
   * indexer acknowledgement on): first wait and cap of the growing wait between polls (default 500 ms, 4 s).
   */
  ackPoll?: { firstMs?: number; maxMs?: number };
  retry?: HecRetryOptions;
  logger?: SinkLogger;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

interface Prepared {
  key: string;
  line: string;
  bytes: number;
}

type Halt = { kind: "deferred" | "rejected"; reason: string };

/** A request needs at least this long to be worth starting. */
const MIN_REQUEST_MS = 50;

/**
 * Delivers alerts to Splunk HEC, several per request (concatenated JSON events, size-capped).
 *
 * - 429, 5xx, timeouts and connection errors are retried with exponential backoff and full jitter
 *   (honouring `Retry-After`), inside the caller's deadline; what is still failing then is `deferred`.
 * - A refused token (401/403) is re-read once past its cache, then everything left is `rejected`.
 * - A batch refused for its data (400, 413) is split: with HEC's `invalid-event-number` the named event
 *   is taken out, otherwise the batch is bisected, so the good events of the batch still get in and
 *   only the bad one is `rejected`.
 * - Each item is sent in at most one request that HEC accepted; nothing accepted is sent again.
 * - When the token has indexer acknowledgement on (HEC answers with an `ackId`), an event counts as
 *   delivered only once HEC confirms it was indexed (see `confirmAcks`).
 */
export class HecAlertSink implements AlertSink {
  private readonly cfg: RunConfig;
  private readonly maxBatchBytes: number;

  constructor(
    private readonly client: Pick<HecClient, "post" | "acks" | "url">,
    private readonly settings: HecEventSettings,
    opts: HecSinkOptions = {},
  ) {
    this.maxBatchBytes = opts.maxBatchBytes ?? 512 * 1024;
    this.cfg = {
      client,
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      retry: {
        baseDelayMs: opts.retry?.baseDelayMs ?? 200,
        maxDelayMs: opts.retry?.maxDelayMs ?? 5_000,
        maxRetryAfterMs: opts.retry?.maxRetryAfterMs ?? 30_000,
        maxAttempts: opts.retry?.maxAttempts ?? 6,
      },
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now: opts.now ?? Date.now,
      random: opts.random ?? Math.random,
      logger: opts.logger,
      ackPoll: { firstMs: opts.ackPoll?.firstMs ?? 500, maxMs: opts.ackPoll?.maxMs ?? 4_000 },
    };
  }

  /** AlertSink port: delivers within 60 s and throws when any alert was not delivered. */
  async send(alerts: Alert[]): Promise<void> {
    const report = await this.deliver(alerts.map((a, i) => ({ key: `${i}`, alert: a })), this.cfg.now() + 60_000);
    const bad = [...report.rejected, ...report.deferred];
    if (bad.length) throw new Error(`${bad.length} of ${alerts.length} alert(s) not delivered to ${this.client.url}: ${bad[0]!.reason}`);
  }

  /** Delivers items before `deadline` (epoch ms) and reports the fate of every key. */
  async deliver(items: HecDeliveryItem[], deadline: number): Promise<DeliveryReport> {
    const run = new DeliveryRun(this.cfg, deadline);
    const prepared = items.map((it) => {
      // Bounded (a no-op for the alerts trailwatch builds): an alert published to the topic by anyone
      // else, however deep or large, must not make JSON.stringify throw and fail the whole batch.
      const line = JSON.stringify(toHecEvent(boundAlert(it.alert), this.settings));
      return { key: it.key, line, bytes: Buffer.byteLength(line) + 1 };
    });
    // Request bodies of at most maxBatchBytes; a larger event travels alone.
    for (const batch of splitIntoBatches(prepared, { maxBytes: this.maxBatchBytes }, (p) => p.bytes)) await run.sendGroup(batch);
    await run.confirmAcks();
    return run.report;
  }

}

interface RunConfig {
  client: Pick<HecClient, "post" | "acks" | "url">;
  ackPoll: { firstMs: number; maxMs: number };
  requestTimeoutMs: number;
  retry: Required<HecRetryOptions>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  logger?: SinkLogger;
}

/** State of one `deliver` call. */
class DeliveryRun {
  readonly report: DeliveryReport = { delivered: [], rejected: [], deferred: [], requests: 0, retries: 0 };
  private halt: Halt | undefined;
  private tokenRefreshed = false;
  /** Batches HEC took with an ackId, waiting for indexer acknowledgement. */
  private readonly pendingAcks = new Map<number, Prepared[]>();
  constructor(
    private readonly x: RunConfig,
    private readonly deadline: number,
  ) {}

  async sendGroup(items: Prepared[]): Promise<void> {
    if (items.length === 0) return;
    if (this.halt) return this.settle(items, this.halt.kind, this.halt.reason);
    const outcome = await this.postWithRetry(items.map((i) => i.line).join("\n"), items.length);
    switch (outcome.kind) {
      case "ok":
        if (outcome.ackId !== undefined) this.pendingAcks.set(outcome.ackId, items);
        else for (const it of items) this.report.delivered.push(it.key);
        return;
      case "retry":
        // HEC stays unavailable: do not hammer it with the remaining batches in this invocation.
        this.halt = { kind: "deferred", reason: `HEC unavailable: ${outcome.reason}` };
        this.x.logger?.warn("HEC unavailable; deferring the rest of the batch", { reason: outcome.reason, url: this.x.client.url });
        return this.settle(items, "deferred", this.halt.reason);
      case "auth":
      case "reject-request":
        this.halt = { kind: "rejected", reason: `HEC refused the request: ${outcome.reason}` };
        this.x.logger?.warn("HEC refused the request; dead-lettering the rest of the batch", { reason: outcome.reason, url: this.x.client.url });
        return this.settle(items, "rejected", this.halt.reason);
      case "reject-events": {
        if (items.length === 1) return this.settle(items, "rejected", `HEC refused the event: ${outcome.reason}`);
        const n = outcome.invalidEventNumber;
        if (n !== undefined && n >= 0 && n < items.length) {
          // HEC named the first bad event: take it out and send the others again.
          this.settle([items[n]!], "rejected", `HEC refused the event: ${outcome.reason}`);
          return this.sendGroup([...items.slice(0, n), ...items.slice(n + 1)]);
        }
        const mid = Math.ceil(items.length / 2);
        await this.sendGroup(items.slice(0, mid));
        return this.sendGroup(items.slice(mid));
      }
    }
  }

  /**
   * With indexer acknowledgement, HEC's 200 only means "received": an event counts as delivered once
   * HEC confirms it was indexed. Polls until every batch is confirmed or the deadline; what is still
   * unconfirmed then is deferred (SQS delivers it again; Splunk may then hold it twice, under one
   * `alert_id`).
   */
  async confirmAcks(): Promise<void> {
    const { client, sleep, now, requestTimeoutMs, ackPoll, logger } = this.x;
    let wait = ackPoll.firstMs;
    let last = "";
    while (this.pendingAcks.size > 0 && now() + wait + MIN_REQUEST_MS < this.deadline) {
      await sleep(wait);
      wait = Math.min(wait * 2, ackPoll.maxMs);
      const res = await client.acks([...this.pendingAcks.keys()], Math.min(requestTimeoutMs, this.deadline - now()));
      this.report.requests++;
      if (res.kind !== "acks") {
        last = `; last ack poll: ${res.reason}`;
        continue;
      }
      for (const id of res.acked) {
        for (const it of this.pendingAcks.get(id) ?? []) this.report.delivered.push(it.key);
        this.pendingAcks.delete(id);
      }
    }
    for (const [id, items] of this.pendingAcks) {
      this.settle(items, "deferred", `HEC received the events (ackId ${id}) but did not confirm indexing before the deadline${last}`);
      logger?.warn("HEC did not acknowledge indexing in time; deferring", { ackId: id, events: items.length });
    }
    this.pendingAcks.clear();
  }

  private settle(items: Prepared[], kind: "rejected" | "deferred", reason: string): void {
    for (const it of items) this.report[kind].push({ key: it.key, reason });
  }

  /**
   * One request, retried while the failure is transient and time and attempts are left. Its own loop
   * (not `withRetries`): HEC's `Retry-After`, the Lambda deadline and a token refresh decide the
   * waits; the backoff itself is the shared one.
   */
  private async postWithRetry(body: string, count: number): Promise<HecOutcome> {
    const { client, retry, sleep, now, random, requestTimeoutMs, logger } = this.x;
    let last: HecOutcome | undefined;
    let refresh = false;
    for (let attempt = 1; ; attempt++) {
      const left = this.deadline - now();
      if (left < MIN_REQUEST_MS) {
        return { kind: "retry", reason: last && last.kind === "retry" ? `${last.reason}; out of time` : "no time left before the Lambda deadline" };
      }
      let outcome: HecOutcome;
      try {
        outcome = await client.post(body, Math.min(requestTimeoutMs, left), refresh);
      } catch (err) {
        // The token could not be read: nothing can be sent now, and nothing is wrong with the events.
        return { kind: "retry", reason: (err as Error).message };
      }
      this.report.requests++;
      refresh = false;
      if (outcome.kind === "auth" && !this.tokenRefreshed) {
        // The token may have been rotated since it was cached: read it again once.
        this.tokenRefreshed = true;
        refresh = true;
        logger?.warn("HEC refused the token; reading it again", { status: outcome.status });
        attempt--;
        continue;
      }
      if (outcome.kind !== "retry") return outcome;
      last = outcome;
      if (attempt >= retry.maxAttempts) return { ...outcome, reason: `${outcome.reason} (after ${attempt} attempts)` };
      let delay: number;
      if (outcome.retryAfterMs !== undefined) {
        if (outcome.retryAfterMs > retry.maxRetryAfterMs) {
          return { ...outcome, reason: `${outcome.reason}; Retry-After ${outcome.retryAfterMs} ms exceeds the ${retry.maxRetryAfterMs} ms cap` };
        }
        delay = outcome.retryAfterMs;
      } else {
        delay = backoffDelay(attempt, { baseMs: retry.baseDelayMs, maxMs: retry.maxDelayMs, random });
      }
      if (now() + delay + MIN_REQUEST_MS > this.deadline) return { ...outcome, reason: `${outcome.reason}; no time left to retry` };
      logger?.info("retrying HEC request", { attempt, delayMs: delay, events: count, reason: outcome.reason });
      this.report.retries++;
      await sleep(delay);
    }
  }
}
