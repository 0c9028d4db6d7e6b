import { LookupEventsCommand, type CloudTrailClient } from "@aws-sdk/client-cloudtrail";

/**
 * CloudTrail's event history of one account: the authoritative copy of a management event, written
 * by AWS and by nobody else, unlike a log file in a bucket others may write to.
 */
export interface EventHistory {
  /**
   * The event with this id as CloudTrail's event history holds it in `region` (the parsed
   * `CloudTrailEvent` JSON), or undefined when it is not there (yet: the history is eventually
   * consistent). Throws the SDK's error when the lookup fails.
   */
  find(eventId: string, region: string): Promise<Record<string, unknown> | undefined>;
}

/** The event history answered something that is not an event record. */
export class EventHistoryError extends Error {
  override name = "EventHistoryError";
}

/** LookupEvents pages followed at most: a lookup by event id has at most one hit, on the first page in practice. */
export const EVENT_HISTORY_MAX_PAGES = 3;
/** Largest `CloudTrailEvent` parsed (CloudTrail caps a record at 256 KB, with room for escaping). */
export const CLOUDTRAIL_EVENT_MAX_CHARS = 1_000_000;

/**
 * `EventHistory` over CloudTrail `LookupEvents` (attribute `EventId`), one client per region.
 * LookupEvents allows two requests per second per account and region: the clients should retry
 * throttling themselves (the remediator's use the SDK's adaptive retry mode, which also slows down
 * after a throttle), so a burst of findings waits instead of failing.
 */
export class CloudTrailEventHistory implements EventHistory {
  constructor(private readonly client: (region: string) => Pick<CloudTrailClient, "send"> | Promise<Pick<CloudTrailClient, "send">>) {}

  async find(eventId: string, region: string): Promise<Record<string, unknown> | undefined> {
    const client = await this.client(region);
    let nextToken: string | undefined;
    for (let page = 0; page < EVENT_HISTORY_MAX_PAGES; page++) {
      const res = await client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: "EventId", AttributeValue: eventId }],
          MaxResults: 50,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      const hit = res?.Events?.find((e) => e.EventId === eventId);
      if (hit) return parseEvent(eventId, hit.CloudTrailEvent);
      nextToken = res?.NextToken;
      if (!nextToken) return undefined;
    }
    return undefined;
  }
}

function parseEvent(eventId: string, text: string | undefined): Record<string, unknown> {
  if (typeof text !== "string" || text.length === 0) throw new EventHistoryError(`LookupEvents returned event ${eventId} without its CloudTrailEvent record`);
  if (text.length > CLOUDTRAIL_EVENT_MAX_CHARS) throw new EventHistoryError(`LookupEvents returned a CloudTrailEvent of ${text.length} characters for event ${eventId}; not reading it`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new EventHistoryError(`LookupEvents returned a CloudTrailEvent for event ${eventId} that is not JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new EventHistoryError(`LookupEvents returned a CloudTrailEvent for event ${eventId} that is not a JSON object`);
  return v as Record<string, unknown>;
}
