import { LookupEventsCommand, type CloudTrailClient, type Event as LookupEvent } from "@aws-sdk/client-cloudtrail";
import { decodeLogText } from "../../core/record/decode";
import type { LogFileContent, LogFileRef, LogSource } from "../../core/ports";
import { RateLimiter, systemClock, type Clock } from "../../core/sources/rate-limiter";
import { formatInstant, type TimeWindow } from "../../core/sources/time-window";
import { awsErrorName } from "./aws-error";
import { withRetries } from "./retry";

/** LookupEvents answers at most this many events a page. */
const PAGE_SIZE = 50;
/** CloudTrail allows 2 LookupEvents requests per second per account and region. */
export const LOOKUP_EVENTS_PER_SECOND = 2;
/** How far back LookupEvents (CloudTrail's event history) reaches. */
export const LOOKUP_EVENTS_HISTORY_DAYS = 90;
/** A CloudTrailEvent larger than this is reported, not parsed (CloudTrail's own events are far smaller). */
const MAX_EVENT_CHARS = 1024 * 1024;

/** Options of a {@link LookupEventsSource}. */
export interface LookupEventsOptions {
  region: string;
  window: TimeWindow;
  clock?: Clock;
  /** Shared limiter, when several sources use the same account and region. */
  limiter?: RateLimiter;
  /** Retries of a page after the SDK's own retries gave up on throttling or a 5xx (default 3; jittered backoff, on average 2, 4, 8 s). */
  retries?: number;
  /** A number in [0, 1) for the backoff's jitter (tests fix it). */
  random?: () => number;
  /** Pages read at most (a guard; default 200,000, i.e. 10 million events). */
  maxPages?: number;
}

/**
 * What LookupEvents cannot see, said to people before they trust an empty result: it returns
 * management events of one account and one region from the last 90 days only.
 */
export function lookupEventsLimits(o: { region: string; window: TimeWindow }, now: Date): string[] {
  const notes = [
    `LookupEvents reads the management events of the account of these credentials in ${o.region} only: ` +
      "it does not see data events (S3 object, Lambda invoke, ...), Insights events, other accounts or other regions; scan the trail's bucket (s3://...) for those.",
  ];
  const oldest = now.getTime() - LOOKUP_EVENTS_HISTORY_DAYS * 86_400_000;
  if (o.window.from.getTime() < oldest) {
    notes.push(`Event history keeps ${LOOKUP_EVENTS_HISTORY_DAYS} days: events before ${formatInstant(new Date(oldest))} are not returned (the window starts ${formatInstant(o.window.from)}).`);
  }
  return notes;
}

/**
 * One account's management events of one region from CloudTrail's event history
 * (`LookupEvents`), as a {@link LogSource} whose files are the result pages. Pages are requested one
 * after the other (each needs the previous page's token), spaced to CloudTrail's 2 requests per
 * second; the SDK retries throttling and 5xx answers, and what still fails is retried here with a
 * longer backoff (the shared helper: exponential, full jitter) before the rest of the window is
 * reported unread (exit status 2).
 */
export class LookupEventsSource implements LogSource {
  private readonly pages = new Map<string, LogFileContent>();
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;

  constructor(
    private readonly client: CloudTrailClient,
    private readonly opts: LookupEventsOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.limiter = opts.limiter ?? new RateLimiter(LOOKUP_EVENTS_PER_SECOND, this.clock);
  }

  async *files(): AsyncIterable<LogFileRef> {
    const { region, window } = this.opts;
    const retries = this.opts.retries ?? 3;
    const maxPages = this.opts.maxPages ?? 200_000;
    let token: string | undefined;
    for (let page = 1; page <= maxPages; page++) {
      const id = `LookupEvents ${region} page ${page}`;
      let events: LookupEvent[];
      let next: string | undefined;
      try {
        const r = await withRetries(
          async () => {
            await this.limiter.take();
            return this.client.send(new LookupEventsCommand({ StartTime: window.from, EndTime: window.to, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }));
          },
          { maxAttempts: retries + 1, baseMs: 2000, sleep: (ms) => this.clock.sleep(ms), ...(this.opts.random ? { random: this.opts.random } : {}) },
        );
        events = r.Events ?? [];
        next = r.NextToken;
      } catch (e) {
        const unread = `events from ${formatInstant(window.from)} up to the last one read were not read`;
        this.pages.set(id, { records: [], invalid: [], error: `LookupEvents failed (${awsErrorName(e)}): ${(e as Error).message}; ${unread}`, bytes: 0 });
        yield { id, size: 0 };
        return;
      }
      const content = this.decode(events, id);
      this.pages.set(id, content);
      yield { id, size: content.bytes };
      if (!next) return;
      token = next;
    }
    this.pages.set(`LookupEvents ${region}`, { records: [], invalid: [], error: `stopped after ${maxPages} pages`, bytes: 0 });
    yield { id: `LookupEvents ${region}`, size: 0 };
  }

  /**
   * The page's CloudTrailEvent strings, each decoded on its own by the same code as log files, so a
   * bad event is named by its position and id and never touches its neighbours.
   */
  private decode(events: LookupEvent[], id: string): LogFileContent {
    const out: LogFileContent = { records: [], invalid: [], bytes: 0 };
    for (let i = 0; i < events.length; i++) {
      const text = events[i]!.CloudTrailEvent;
      const where = `event ${i} (${events[i]!.EventId ?? "no id"})`;
      const bad = (reason: string) => out.invalid.push({ source: id, position: i, where, reason });
      if (typeof text !== "string" || text.length === 0) bad("no CloudTrailEvent in the answer");
      else if (text.length > MAX_EVENT_CHARS) bad(`CloudTrailEvent of ${text.length} characters is larger than ${MAX_EVENT_CHARS}`);
      else {
        out.bytes += Buffer.byteLength(text);
        const decoded = decodeLogText(text, id);
        if (decoded.records.length === 1 && decoded.invalid.length === 0 && !decoded.error) out.records.push(decoded.records[0]!);
        else bad(decoded.error ?? decoded.invalid[0]?.reason ?? decoded.notCloudTrail ?? "not one CloudTrail record");
      }
    }
    return out;
  }

  async read(file: LogFileRef): Promise<LogFileContent> {
    const c = this.pages.get(file.id);
    if (!c) throw new Error(`${file.id} is not a page this source read`);
    this.pages.delete(file.id);
    return c;
  }
}
