import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoIdempotencyStore, objectIdempotencyKey } from "../../../functions/adapters/aws/idempotency-store";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";

const TABLE = "trailwatch-idempotency";

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
    store = new DynamoIdempotencyStore(db.client, TABLE, { now: () => clock, completedTtlSeconds: 3600 });
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
    const first = await store.claim(k, 300, { messageId: "m1" });
    const whileRunning = await store.claim(k, 300);
    const done = first.status === "claimed" && (await store.complete(first, { alerts: "1" }));
    const afterwards = await store.claim(k, 300);

    // Assess
    expect(first.status).toBe("claimed");
    expect(whileRunning).toEqual({ status: "in-progress", key: k, lockedUntil: "2026-11-23T10:05:00.000Z" });
    expect(done).toBe(true);
    expect(afterwards).toMatchObject({ status: "completed", key: k });
    const stored = await item(k);
    expect(stored).toMatchObject({ status: { S: "completed" }, alerts: { S: "1" }, messageId: { S: "m1" }, expiresAt: { N: String(Date.parse("2026-11-23T11:00:00Z") / 1000) } });
  });

  it("releases a claim after a failure so the retry can claim at once", async () => {
    const k = key();
    const first = await store.claim(k, 300);
    if (first.status !== "claimed") throw new Error("not claimed");

    await store.release(first);
    const retry = await store.claim(k, 300);

    expect(retry.status).toBe("claimed");
    expect(await item(k)).toBeDefined();
  });

  it("lets a retry take over a lock whose holder died, and the old holder can then neither complete nor release it", async () => {
    const k = key();
    const dead = await store.claim(k, 60);
    if (dead.status !== "claimed") throw new Error("not claimed");

    clock = new Date("2026-11-23T10:01:01Z");
    const retry = await store.claim(k, 60);
    const lateComplete = await store.complete(dead);
    await store.release(dead);

    expect(retry.status).toBe("claimed");
    expect(lateComplete).toBe(false);
    expect((await item(k))?.status?.S).toBe("in-progress");
    expect((await item(k))?.token?.S).toBe(retry.status === "claimed" ? retry.token : "");
  });

  it("treats a completed record past its TTL as absent (DynamoDB deletes expired items only eventually)", async () => {
    const k = key();
    const c = await store.claim(k, 60);
    if (c.status !== "claimed") throw new Error("not claimed");
    await store.complete(c);

    clock = new Date("2026-11-23T11:00:01Z");
    const later = await store.claim(k, 60);

    expect(later.status).toBe("claimed");
  });

  it("surfaces DynamoDB errors other than a failed condition (here: a missing table)", async () => {
    const broken = new DynamoIdempotencyStore(db.client, "no-such-table");

    await expect(broken.claim(key(), 60)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});
