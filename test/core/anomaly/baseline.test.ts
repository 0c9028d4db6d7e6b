import { diffBaseline, type BaselineSnapshot } from "../../../functions/core/anomaly/baseline";
import type { ObservedActivity } from "../../../functions/core/anomaly/activity";

const ACCT = "111122223333";
const ROLE = `arn:aws:iam::${ACCT}:role/app`;
const DAY_S = 86_400;
const opts = { baselineDays: 90, refreshHours: 24 };

function act(name: string, first: string, last = first, principal = ROLE): ObservedActivity {
  return { account: ACCT, principal, principalType: "AssumedRole", eventSource: "s3.amazonaws.com", eventName: name, firstSeen: first, lastSeen: last, count: 1, writes: 0, region: "us-east-1", regions: 1 };
}
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function snapshotWith(items: Record<string, { last: string; expiresAt?: number }>, principalFirst = "2026-08-01T00:00:00Z"): BaselineSnapshot {
  const m = new Map(Object.entries(items).map(([action, v]) => [action, { action, firstSeen: "2026-08-01T00:00:00Z", lastSeen: v.last, expiresAt: v.expiresAt ?? epoch(v.last) + 90 * DAY_S }]));
  return {
    account: { firstSeen: "2026-08-01T00:00:00Z", expiresAt: epoch("2026-11-20T00:00:00Z") + 90 * DAY_S },
    principals: new Map([[ROLE, { principal: ROLE, firstSeen: principalFirst, lastSeen: "2026-11-20T09:00:00Z", expiresAt: epoch("2026-11-20T09:00:00Z") + 90 * DAY_S, items: m }]]),
  };
}

describe("the baseline diff", () => {
  const now = new Date("2026-11-20T11:00:00Z");

  it("on a first run learns everything, creates the account and principal records, and calls every action new", () => {
    const d = diffBaseline([act("ListBuckets", "2026-11-20T10:01:00Z"), act("GetObject", "2026-11-20T10:02:00Z")], { principals: new Map() }, now, opts);
    expect(d.accountBefore).toBeUndefined();
    expect(d.principals[0]!.newActions.map((a) => a.eventName)).toEqual(["ListBuckets", "GetObject"]);
    expect(d.writes.map((w) => `${w.target}:${w.kind}`)).toEqual(["account:create", "principal:create", "item:create", "item:create"]);
  });

  it("writes nothing for actions seen again within the refresh interval", () => {
    const snap = snapshotWith({ "s3.amazonaws.com:ListBuckets": { last: "2026-11-20T09:10:00Z" } });
    const d = diffBaseline([act("ListBuckets", "2026-11-20T10:01:00Z", "2026-11-20T10:30:00Z")], snap, now, opts);
    expect(d.principals[0]!.newActions).toEqual([]);
    expect(d.writes).toEqual([]);
  });

  it("refreshes a known action's TTL once it is a day old, keeping its first-seen time", () => {
    const snap = snapshotWith({ "s3.amazonaws.com:ListBuckets": { last: "2026-11-19T09:00:00Z" } });
    const d = diffBaseline([act("ListBuckets", "2026-11-20T10:01:00Z", "2026-11-20T10:30:00Z")], snap, now, opts);
    const item = d.writes.find((w) => w.target === "item");
    expect(item).toEqual({ target: "item", kind: "refresh", principal: ROLE, item: { action: "s3.amazonaws.com:ListBuckets", firstSeen: "2026-08-01T00:00:00Z", lastSeen: "2026-11-20T10:30:00Z", expiresAt: epoch("2026-11-20T10:30:00Z") + 90 * DAY_S } });
  });

  it("treats an expired item the store has not deleted yet as absent", () => {
    const snap = snapshotWith({ "s3.amazonaws.com:DeleteBucket": { last: "2026-08-01T00:00:00Z", expiresAt: epoch("2026-11-19T00:00:00Z") } });
    const d = diffBaseline([act("DeleteBucket", "2026-11-20T10:01:00Z")], snap, now, opts);
    expect(d.principals[0]!.newActions).toHaveLength(1);
    expect(d.principals[0]!.sizeBefore).toBe(0);
    expect(d.writes.find((w) => w.target === "item")?.kind).toBe("create");
  });

  it("counts the live baseline size and keeps the principal's first-seen time", () => {
    const snap = snapshotWith({ "s3.amazonaws.com:A": { last: "2026-11-20T09:00:00Z" }, "s3.amazonaws.com:B": { last: "2026-11-20T09:00:00Z" } });
    const d = diffBaseline([act("C", "2026-11-20T10:01:00Z")], snap, now, opts);
    expect(d.principals[0]!.sizeBefore).toBe(2);
    expect(d.principals[0]!.before?.firstSeen).toBe("2026-08-01T00:00:00Z");
  });
});
