import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoIdempotencyStore, objectIdempotencyKey, type Claim, type OwnClaim } from "../../../functions/adapters/aws/idempotency-store";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";

const TABLE = "trailwatch-idempotency";

function own(c: Claim): OwnClaim {
  if (c.status !== "claimed") throw new Error(`expected a claim, got ${c.status}`);
  return c;
}

describe("DynamoIdempotencyStore against dynalite", () => {
  let db: LocalDynamo;
  let clock: Date;
  let store: DynamoIdempotencyStore;
  let n = 0;
  const key = () => `org-trail-logs/AWSLogs/k${++n}.json.gz#etag${n}`;

  beforeAll(async () => {
    db = await startDynalite();
    await db.createTable(TABLE);
  });
  afterAll(async () => db?.stop());
  beforeEach(() => {
    clock = new Date("2026-11-23T10:00:00Z");
    store = new DynamoIdempotencyStore(db.client, TABLE, { now: () => clock, ttlSeconds: 3600 });
  });

  async function item(k: string) {
    return (await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: k } }, ConsistentRead: true }))).Item;
  }

  it("keys an object by bucket, key and ETag (version id when there is no ETag)", () => {
    expect(objectIdempotencyKey({ bucket: "b", key: "a/b c.json.gz", etag: "e1", versionId: "v1" })).toBe("b/a/b c.json.gz#e1");
    expect(objectIdempotencyKey({ bucket: "b", key: "k", versionId: "v1" })).toBe("b/k#v1");
  });

  it("lets one caller claim a key; a second caller sees it in progress, then completed", async () => {
    // Prepare
    const k = key();

    // Act
    const first = own(await store.claim(k, 300, { messageId: "m1" }));
    const whileRunning = await store.claim(k, 300);
    const done = await store.complete(first, { alerts: "1" });
    const afterwards = await store.claim(k, 300);

    // Assess
    expect(first.sent).toEqual([]);
    expect(whileRunning).toEqual({ status: "in-progress", key: k, lockedUntil: "2026-11-23T10:05:00.000Z" });
    expect(done).toBe(true);
    expect(afterwards).toMatchObject({ status: "completed", key: k });
    const stored = await item(k);
    expect(stored).toMatchObject({ status: { S: "completed" }, alerts: { S: "1" }, messageId: { S: "m1" }, expiresAt: { N: String(Date.parse("2026-11-23T11:00:00Z") / 1000) } });
    expect(stored?.lockedUntil).toBeUndefined();
  });

  it("releases a claim after a failure so the retry can claim at once, and tells it which alerts already went out", async () => {
    const k = key();
    const first = own(await store.claim(k, 300));
    await store.markSent(first, ["alert-a"]);
    await store.markSent(first, ["alert-b", "alert-a"]);

    await store.release(first);
    const retry = own(await store.claim(k, 300));

    expect(retry.sent.sort()).toEqual(["alert-a", "alert-b"]);
    expect(retry.token).not.toBe(first.token);
  });

  it("lets a retry take over a lock whose holder died, and the old holder can then neither complete, release nor mark it", async () => {
    const k = key();
    const dead = own(await store.claim(k, 60));

    clock = new Date("2026-11-23T10:01:01Z");
    const retry = own(await store.claim(k, 60));
    const lateComplete = await store.complete(dead);
    await store.release(dead);
    const lateMark = await store.markSent(dead, ["x"]).catch((e: Error) => e.name);

    expect(lateComplete).toBe(false);
    expect(lateMark).toBe("ConditionalCheckFailedException");
    const stored = await item(k);
    expect(stored?.status?.S).toBe("in-progress");
    expect(stored?.token?.S).toBe(retry.token);
    expect(Number(stored?.lockedUntil?.N)).toBeGreaterThan(Date.parse("2026-11-23T10:01:01Z") / 1000);
  });

  it("treats a record past its TTL as absent (DynamoDB deletes expired items only eventually), forgetting what it had sent", async () => {
    const k = key();
    const c = own(await store.claim(k, 60));
    await store.markSent(c, ["old-alert"]);
    await store.complete(c);

    clock = new Date("2026-11-23T11:00:01Z");
    const later = own(await store.claim(k, 60));
    await store.release(later);
    const again = own(await store.claim(k, 60));

    expect(later.sent).toEqual([]);
    expect(again.sent).toEqual([]);
  });

  it("surfaces DynamoDB errors other than a failed condition (here: a missing table)", async () => {
    const broken = new DynamoIdempotencyStore(db.client, "no-such-table");

    await expect(broken.claim(key(), 60)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});
