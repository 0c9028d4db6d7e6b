/**
 * The top-level fields of a CloudTrail record that selective decoding locates in the raw text without
 * parsing it (`prefilter.ts`): those the rule index reads, and those a raw view may hold. Kept apart
 * from the scanner so the rule engine can name them without bundling it.
 */

/** The fields the scanner locates in each record, by index into {@link RecordSpans.fields}. */
export const FIELD = {
  eventSource: 0,
  eventName: 1,
  eventTime: 2,
  eventType: 3,
  errorCode: 4,
  awsRegion: 5,
  eventID: 6,
  userIdentity: 7,
  /** `userIdentity.type` (of the last `userIdentity`, as JSON.parse keeps it). */
  identityType: 8,
  requestParameters: 9,
  sourceIPAddress: 10,
  userAgent: 11,
  requestID: 12,
} as const;
export const FIELD_COUNT = 13;

/** Top-level fields a raw view of a record can hold (see `RawThresholdRule.rawFields`). */
export const VIEW_FIELDS = ["awsRegion", "eventID", "userIdentity", "errorCode", "eventType", "requestParameters", "sourceIPAddress", "userAgent", "requestID"] as const;
export type ViewField = (typeof VIEW_FIELDS)[number];

/** The bits (`1 << FIELD.x`) of view fields. */
export function fieldMask(names: readonly ViewField[]): number {
  let m = 0;
  for (const n of names) m |= 1 << FIELD[n];
  return m;
}
