import { parseRecord, missingRequiredField } from "../../../functions/core/record/schema";

const base = { eventVersion: "1.08", eventTime: "2026-11-20T10:00:00Z", eventSource: "ssm.amazonaws.com", eventName: "PutParameter" };

describe("CloudTrail record schema", () => {
  it("keeps records that real logs make odd: unknown region, service as source IP, extra fields, null requestParameters", () => {
    const odd = { ...base, awsRegion: "xx-future-9", sourceIPAddress: "ssm.amazonaws.com", someNewField: { a: 1 }, requestParameters: null, readOnly: "false" };
    const res = parseRecord(odd);
    expect(res.ok).toBe(true);
    if (res.ok) expect((res.record as Record<string, unknown>).someNewField).toEqual({ a: 1 });
  });

  it("accepts a non-canonical IPv6 address and an IPv4-mapped one", () => {
    expect(parseRecord({ ...base, sourceIPAddress: "2001:DB8:0:0::1" }).ok).toBe(true);
    expect(parseRecord({ ...base, sourceIPAddress: "::ffff:192.0.2.1" }).ok).toBe(true);
  });

  it("says which required field is missing", () => {
    expect(missingRequiredField({ ...base, eventName: undefined })).toBe("eventName is missing or not a non-empty string");
    expect(missingRequiredField({ ...base, eventSource: 3 })).toBe("eventSource is missing or not a non-empty string");
    expect(missingRequiredField({ ...base, eventTime: "" })).toBe("eventTime is missing or not a non-empty string");
    expect(missingRequiredField([base])).toBe("not a JSON object");
  });

  it("rejects a mistyped userIdentity with the path of the problem", () => {
    const res = parseRecord({ ...base, userIdentity: "alice" });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toMatch(/^userIdentity:/);
  });
});
