import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoBaselineStore } from "../../../functions/adapters/aws/dynamodb-baseline";
import { diffBaseline } from "../../../functions/core/anomaly/baseline";
import type { ObservedActivity } from "../../../functions/core/anomaly/activity";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";

const ACCT = "111122223333";
const P = `arn:aws:iam::${ACCT}:role/app`;
const opts = { baselineDays: 90, refreshHours: 24 };

function act(name: string, at: string): ObservedActivity {
  return { account: ACCT, principal: P, principalType: "AssumedRole", eventSource: "s3.amazonaws.com", eventName: name, firstSeen: at, lastSeen: at, count: 1, writes: 0, region: "us-east-1", regions: 1 };
}

describe("the DynamoDB baseline against dynalite", () => {
  let ddb: LocalDynamo;
  let table: string;
  let n = 0;
  beforeAll(async () => {
    ddb = await startDynalite();
  });
  afterAll(async () => ddb.stop());
  beforeEach(async () => {
    table = `baseline-${n++}`;
    await ddb.createTable(table, { sortKey: "sk" });
  });

  it("learns a window's activity and reads it back by principal", async () => {
    // Prepare
    const store = new DynamoBaselineStore(ddb.client, table);
    const now = new Date("2026-11-20T11:00:00Z");
    const activity = Array.from({ length: 60 }, (_, i) => act(`Action${i}`, "2026-11-20T10:10:00Z"));
    const diff = diffBaseline(activity, await store.load(ACCT, [P]), now, opts);

    // Act
    const stats = await store.apply(ACCT, diff.writes, now);
    const snap = await store.load(ACCT, [P]);

    // Assess: 62 conditional puts (account, principal, 60 actions), all read back.
    expect(stats).toEqual({ requests: 62, written: 62, raced: 0 });
    expect(snap.account?.firstSeen).toBe("2026-11-20T11:00:00.000Z");
    expect(snap.principals.get(P)!.items.size).toBe(60);
  });

  it("refreshes known actions in batches of 25 and writes nothing for actions refreshed within a day", async () => {
    const store = new DynamoBaselineStore(ddb.client, table);
    const day1 = new Date("2026-11-19T11:00:00Z");
    const activity = (at: string) => Array.from({ length: 60 }, (_, i) => act(`Action${i}`, at));
    await store.apply(ACCT, diffBaseline(activity("2026-11-19T10:10:00Z"), await store.load(ACCT, [P]), day1, opts).writes, day1);

    const sameDay = new Date("2026-11-19T15:00:00Z");
    const quiet = diffBaseline(activity("2026-11-19T14:10:00Z"), await store.load(ACCT, [P]), sameDay, opts);
    expect(quiet.writes).toEqual([]);

    const nextDay = new Date("2026-11-20T11:00:00Z");
    const refresh = diffBaseline(activity("2026-11-20T10:30:00Z"), await store.load(ACCT, [P]), nextDay, opts);
    const stats = await store.apply(ACCT, refresh.writes, nextDay);
    expect(stats).toEqual({ requests: 3, written: 62, raced: 0 }); // 60 actions + principal + account in 3 batches
    const item = (await store.load(ACCT, [P])).principals.get(P)!.items.get("s3.amazonaws.com:Action7")!;
    expect([item.firstSeen, item.lastSeen]).toEqual(["2026-11-19T10:10:00Z", "2026-11-20T10:30:00Z"]);
  });

  it("lets the first of two racing runs keep its first-seen time, and counts the loser instead of failing", async () => {
    const a = new DynamoBaselineStore(ddb.makeClient(), table);
    const b = new DynamoBaselineStore(ddb.makeClient(), table);
    const now = new Date("2026-11-20T11:00:00Z");
    const da = diffBaseline([act("CreateBucket", "2026-11-20T10:01:00Z")], await a.load(ACCT, [P]), now, opts);
    const db = diffBaseline([act("CreateBucket", "2026-11-20T10:05:00Z")], await b.load(ACCT, [P]), now, opts);

    const first = await a.apply(ACCT, da.writes, now);
    const second = await b.apply(ACCT, db.writes, now);

    expect(first.raced).toBe(0);
    expect(second).toEqual({ requests: 3, written: 0, raced: 3 });
    expect((await a.load(ACCT, [P])).principals.get(P)!.items.get("s3.amazonaws.com:CreateBucket")!.firstSeen).toBe("2026-11-20T10:01:00Z");
  });

  it("replaces an item whose TTL has passed but which DynamoDB has not deleted yet", async () => {
    const store = new DynamoBaselineStore(ddb.client, table);
    const old = new Date("2026-08-01T11:00:00Z");
    await store.apply(ACCT, diffBaseline([act("DeleteBucket", "2026-08-01T10:00:00Z")], { principals: new Map() }, old, opts).writes, old);
    const now = new Date("2026-11-20T11:00:00Z");
    const diff = diffBaseline([act("DeleteBucket", "2026-11-20T10:00:00Z")], await store.load(ACCT, [P]), now, opts);
    expect(diff.principals[0]!.newActions).toHaveLength(1);
    const stats = await store.apply(ACCT, diff.writes, now);
    expect(stats.raced).toBe(0);
    expect((await store.load(ACCT, [P])).principals.get(P)!.items.get("s3.amazonaws.com:DeleteBucket")!.firstSeen).toBe("2026-11-20T10:00:00Z");
  });
});

describe("the DynamoDB baseline under throttling", () => {
  it("retries unprocessed batch items a bounded number of times, then fails the run with a reason", async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    mock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: input.RequestItems }));
    const store = new DynamoBaselineStore(new DynamoDBClient({ region: "us-east-1" }), "t", { maxAttempts: 3, backoffMs: 1 });
    const write = { target: "item" as const, kind: "refresh" as const, principal: P, item: { action: "a:B", firstSeen: "x", lastSeen: "x", expiresAt: 1 } };
    await expect(store.apply(ACCT, [write], new Date())).rejects.toThrow("unprocessed after 3 attempts");
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(3);
    mock.restore();
  });
});
