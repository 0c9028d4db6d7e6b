import { recordBoundsProblem } from "../../../functions/core/record/bounds";
import { parseRecord } from "../../../functions/core/record/schema";

const rec = (extra: Record<string, unknown> = {}) => ({ eventVersion: "1.09", eventName: "StopLogging", eventSource: "cloudtrail.amazonaws.com", eventTime: "2026-01-01T00:00:00Z", ...extra });

/** {"a":{"a":...}} nested `depth` levels, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe("recordBoundsProblem (before a record reaches any rule)", () => {
  it("accepts a real record", () => {
    expect(recordBoundsProblem(rec({ requestParameters: { name: "org-trail", tags: [{ key: "a", value: "b" }] } }))).toBeUndefined();
  });

  it("refuses a value nested deeper than the limit, even 100,000 levels (no recursion, stops at the limit)", () => {
    expect(recordBoundsProblem(rec({ requestParameters: nested(100_000) }))).toBe("nested deeper than 64 levels (the limit for one record)");
    // The record is level 1, requestParameters level 2: 63 nested objects reach level 64, the limit.
    expect(recordBoundsProblem(rec({ requestParameters: nested(63) }))).toBeUndefined();
    expect(recordBoundsProblem(rec({ requestParameters: nested(64) }))).toMatch(/deeper than 64/);
  });

  it("refuses a record bigger than the limit, in strings or in many small values", () => {
    expect(recordBoundsProblem(rec({ requestParameters: { blob: "x".repeat(3 * 2 ** 20) } }))).toBe("record is more than 2 MiB (the limit for one record)");
    expect(recordBoundsProblem(rec({ items: Array.from({ length: 400_000 }, (_, i) => i) }))).toMatch(/more than 2 MiB/);
    expect(recordBoundsProblem(rec(), { maxRecordBytes: 50, maxRecordDepth: 64 })).toMatch(/more than 50 bytes/);
  });

  it("is applied by parseRecord, so the engine reports such a record as invalid instead of handing it to rules", () => {
    expect(parseRecord(rec({ requestParameters: nested(10_000) }))).toEqual({ ok: false, reason: "nested deeper than 64 levels (the limit for one record)" });
    expect(parseRecord(rec()).ok).toBe(true);
  });
});
