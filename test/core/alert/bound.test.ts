import type { Alert } from "../../../functions/core/alert/alert";
import { deepValue } from "../../support/hostile-values";
import { boundAlert, boundContext, boundValue, clip, CONTEXT_LIMITS, FIELD_LIMITS, TRUNCATED_KEY, TRUNCATION_MARKER } from "../../../functions/core/alert/bound";

const deep = deepValue;

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

function depthOf(v: unknown): number {
  let d = 0;
  let cur: unknown = v;
  while (cur && typeof cur === "object") {
    d++;
    cur = Array.isArray(cur) ? cur[0] : Object.values(cur)[0];
  }
  return d;
}

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: "abc", rule: "rds.instance-made-public", title: "RDS database made publicly accessible", severity: "high", account: "111122223333",
  region: "eu-west-1", principal: "arn:aws:iam::111122223333:user/mallory", eventSource: "rds.amazonaws.com", eventName: "ModifyDBInstance",
  eventTime: "2026-11-20T10:00:00Z", eventId: "e1", summary: "mallory made database db1 publicly accessible", context: { database: "db1" }, remediation: null,
  ...over,
});

describe("bounding alert values", () => {
  it("cuts a 10,000-deep value at the depth limit with a visible marker, without running out of stack", () => {
    for (const kind of ["array", "object"] as const) {
      const { value, truncated } = boundValue(deep(10_000, kind));
      expect(truncated).toBe(true);
      expect(depthOf(value)).toBe(CONTEXT_LIMITS.maxDepth);
      expect(JSON.stringify(value)).toContain(`${TRUNCATION_MARKER}: nested deeper than ${CONTEXT_LIMITS.maxDepth} levels]`);
    }
  });

  it("cuts long strings, long arrays and wide objects with a marker that says how much was left out", () => {
    const { value } = boundValue({ s: "x".repeat(100_000), list: Array.from({ length: 1000 }, (_, i) => i), wide: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])) });
    const v = value as { s: string; list: unknown[]; wide: Record<string, unknown> };
    expect(v.s).toHaveLength(CONTEXT_LIMITS.maxString);
    expect(v.s).toMatch(/\.\.\.\[truncated: 100,000 chars in all\]$/);
    expect(v.list).toHaveLength(CONTEXT_LIMITS.maxItems);
    expect(v.list[v.list.length - 1]).toBe("[truncated: 901 more item(s)]");
    expect(Object.keys(v.wide)).toHaveLength(CONTEXT_LIMITS.maxKeys);
    expect(v.wide["..."]).toBe("[truncated: 401 more key(s)]");
  });

  it("keeps the whole value near its byte budget, however the size is spread", () => {
    const many = Array.from({ length: 99 }, () => Array.from({ length: 99 }, () => "y".repeat(4000)));
    const { value } = boundValue({ many });
    expect(jsonBytes(value)).toBeLessThan(CONTEXT_LIMITS.maxBytes + 2048);
    expect(JSON.stringify(value)).toMatch(/more item\(s\), size limit 32,768 bytes\]/);
    // Escaped characters count as the JSON bytes they become.
    const controls = boundValue({ s: Array.from({ length: 40 }, () => "\u0001".repeat(4000)) }).value;
    expect(jsonBytes(controls)).toBeLessThan(CONTEXT_LIMITS.maxBytes + 2048);
  });

  it("turns what JSON cannot hold into readable data: bigint, NaN, functions, symbols, cycles, Dates, Maps, Sets, Errors", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const { value } = boundValue({
      big: 12345678901234567890n, nan: NaN, inf: -Infinity, fn: () => 1, sym: Symbol("s"), cyclic, when: new Date("2026-11-20T10:00:00Z"),
      map: new Map([[1, "one"]]), set: new Set(["a"]), err: new TypeError("bad"), gone: undefined, holes: [undefined, 1],
    });
    expect(value).toEqual({
      big: "12345678901234567890", nan: "NaN", inf: "-Infinity", fn: "[function]", sym: "[symbol]", cyclic: { name: "loop", self: "[cycle]" },
      when: "2026-11-20T10:00:00.000Z", map: { 1: "one" }, set: ["a"], err: { name: "TypeError", message: "bad" }, holes: [null, 1],
    });
    expect(() => JSON.stringify(value)).not.toThrow();
  });

  it("survives getters that throw and keeps __proto__ a plain key", () => {
    const hostile = Object.defineProperty({ ok: 1 }, "boom", { enumerable: true, get: () => { throw new Error("no"); } });
    const parsed = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const { value } = boundValue({ hostile, parsed });
    expect(value).toEqual({ hostile: { ok: 1, boom: "[unreadable]" }, parsed: { ["__proto__"]: { polluted: true } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf((value as { parsed: object }).parsed)).toBe(Object.prototype);
  });

  it("changes nothing in a value within the limits, so bounding twice is bounding once", () => {
    const ok = { a: [1, "two", { three: true }], b: null, c: "é€😀" };
    expect(boundValue(ok)).toEqual({ value: ok, truncated: false });
    const once = boundContext({ deep: deep(50), long: "z".repeat(9000) });
    expect(boundContext(once)).toEqual(once);
  });

  it("clips without splitting a surrogate pair", () => {
    const s = "a" + "😀".repeat(3000);
    const c = clip(s, 100);
    expect(c.length).toBeLessThanOrEqual(100);
    expect(() => encodeURIComponent(c)).not.toThrow();
  });

  it("says at the top of the context that it was cut", () => {
    const ctx = boundContext({ vpcSecurityGroupIds: deep(10_000) });
    expect(Object.keys(ctx)[0]).toBe(TRUNCATED_KEY);
    expect(ctx[TRUNCATED_KEY]).toMatch(/^context cut to trailwatch's limits \(depth 8, 4,096 characters per string, 100 items per list, 100 keys per object, about 32 KiB in all\)/);
    expect(boundContext({ small: 1 })).toEqual({ small: 1 });
    expect(boundContext("not an object")).toEqual({ value: "not an object" });
  });

  it("clips every string field of an alert and keeps the shape", () => {
    const big = "q".repeat(50_000);
    const a = boundAlert(alert({
      summary: big, principal: big, eventName: big, account: big, eventId: big,
      remediation: { action: big, mode: "apply", status: "succeeded", detail: big },
      references: { mitre: Array.from({ length: 50 }, () => big) },
      context: { v: deep(10_000) },
    }));
    expect(a.summary).toHaveLength(FIELD_LIMITS.summary);
    expect(a.principal).toHaveLength(FIELD_LIMITS.principal);
    expect(a.eventName).toHaveLength(FIELD_LIMITS.other);
    expect(a.account).toHaveLength(FIELD_LIMITS.other);
    expect(a.remediation!.detail).toHaveLength(FIELD_LIMITS.detail);
    expect(a.references!.mitre).toHaveLength(10);
    expect(a.references!.mitre![0]).toHaveLength(64);
    expect(jsonBytes(a)).toBeLessThan(64 * 1024);
    expect(boundAlert(a)).toEqual(a);
  });
});
