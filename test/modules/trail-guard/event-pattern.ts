/**
 * The part of EventBridge's pattern matching the trail guard's patterns use: every field of the
 * pattern must be present in the event; an array of scalars matches when the event value (or one of
 * its elements, if it is an array) equals one of them; an object recurses. Any other operator
 * (prefix, anything-but, exists, $or, ...) throws, so a pattern this cannot judge never passes.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (event === null || typeof event !== "object" || Array.isArray(event)) return false;
  const ev = event as Record<string, unknown>;
  for (const [key, want] of Object.entries(pattern)) {
    if (key.startsWith("$")) throw new Error(`operator ${key} not supported by this matcher`);
    const got = ev[key];
    if (Array.isArray(want)) {
      for (const w of want) {
        if (w !== null && typeof w === "object") throw new Error(`content filter ${JSON.stringify(w)} not supported by this matcher`);
      }
      const values = Array.isArray(got) ? got : [got];
      if (got === undefined || !values.some((v) => want.includes(v))) return false;
    } else if (want !== null && typeof want === "object") {
      if (!matchesPattern(want as Record<string, unknown>, got)) return false;
    } else {
      throw new Error(`pattern value for ${key} must be an array or an object`);
    }
  }
  return true;
}

/** How EventBridge wraps a CloudTrail record of a management API call. */
export function apiCallEvent(record: { eventSource: string; [k: string]: unknown }, region = "eu-west-1") {
  return {
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "AWS API Call via CloudTrail",
    source: `aws.${record.eventSource.replace(/\.amazonaws\.com$/, "")}`,
    account: "111122223333",
    time: "2026-03-02T10:00:00Z",
    region,
    resources: [],
    detail: { eventVersion: "1.09", awsRegion: region, eventType: "AwsApiCall", readOnly: false, ...record },
  };
}
