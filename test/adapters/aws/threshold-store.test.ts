import { BatchGetItemCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoThresholdStore, THRESHOLD_KEY_PREFIX } from "../../../functions/adapters/aws/threshold-store";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { isThresholdRule } from "../../../functions/core/rules/threshold-rule";
import { ThresholdTracker } from "../../../functions/core/rules/threshold-tracker";
import { EMPTY_STATE } from "../../../functions/core/rules/threshold-window";
import { loadExamples } from "../../core/rules/examples";
import { expandSequence, runSequence, type Sequence } from "../../core/rules/sequences";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";

const TABLE = "trailwatch-idempotency";

describe("DynamoThresholdStore against dynalite", () => {
  let db: LocalDynamo;
  let n = 0;
  const key = () => `ec2.password-data-read-burst#arn:aws:iam::111122223333:role/r${++n}`;

  beforeAll(async () => {
    db = await startDynalite();
    await db.createTable(TABLE);
  });
  afterAll(async () => db?.stop());

  it("stores a group's state under its own key prefix with a version and a TTL, and reads it back", async () => {
    // Prepare
    const store = new DynamoThresholdStore(db.client, TABLE);
    const k = key();
    const state = { ...EMPTY_STATE, entries: [["i-1", 1_795_000_000_000] as [string, number]], quietUntil: 5 };
    // Act
    const empty = await store.load(k);
    const expires = new Date(Math.ceil(Date.now() / 1000 + 86_400) * 1000);
    const saved = await store.save(k, state, 0, expires);
    const loaded = await store.load(k);
    // Assess
    expect(empty).toEqual({ state: undefined, version: 0 });
    expect(saved).toBe(true);
    expect(loaded).toEqual({ state, version: 1 });
    const item = (await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: THRESHOLD_KEY_PREFIX + k } } }))).Item;
    expect(item).toMatchObject({ version: { N: "1" }, expiresAt: { N: String(expires.getTime() / 1000) }, rule: { S: "ec2.password-data-read-burst" } });
  });

  it("refuses a save on a version someone else already replaced (and a second creation of a new group)", async () => {
    const store = new DynamoThresholdStore(db.client, TABLE);
    const k = key();
    const exp = new Date(Date.now() + 3_600_000);
    expect(await store.save(k, EMPTY_STATE, 0, exp)).toBe(true);
    expect(await store.save(k, EMPTY_STATE, 0, exp)).toBe(false); // both saw "no state"
    expect(await store.save(k, EMPTY_STATE, 1, exp)).toBe(true);
    expect(await store.save(k, EMPTY_STATE, 1, exp)).toBe(false); // stale version
    expect((await store.load(k)).version).toBe(2);
  });

  it("reads an item past its TTL (not yet deleted by DynamoDB) or with unreadable state as no state, keeping its version", async () => {
    const k1 = key();
    const k2 = key();
    await db.client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: THRESHOLD_KEY_PREFIX + k1 }, version: { N: "4" }, expiresAt: { N: "1000" }, state: { S: JSON.stringify(EMPTY_STATE) } } }));
    await db.client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: THRESHOLD_KEY_PREFIX + k2 }, version: { N: "2" }, expiresAt: { N: "9999999999" }, state: { S: "{not json" } } }));
    const store = new DynamoThresholdStore(db.client, TABLE);
    expect(await store.load(k1)).toEqual({ state: undefined, version: 4 });
    expect(await store.load(k2)).toEqual({ state: undefined, version: 2 });
  });

  it("reads many groups' states in batches as load reads each (absent, saved, expired), asking again for unprocessed keys", async () => {
    // Prepare: 250 keys (three BatchGetItem calls): every third saved, one of those expired; a client
    // that, like a throttled table, leaves the second half of the first answer's keys unprocessed.
    const keys = Array.from({ length: 250 }, key);
    const store = new DynamoThresholdStore(db.client, TABLE);
    const exp = new Date(Date.now() + 3_600_000);
    for (const [i, k] of keys.entries()) if (i % 3 === 0) await store.save(k, { ...EMPTY_STATE, quietUntil: i }, 0, exp);
    await db.client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: THRESHOLD_KEY_PREFIX + keys[3]! }, version: { N: "7" }, expiresAt: { N: "1000" }, state: { S: "{}" } } }));
    const calls: number[] = [];
    let throttled = false;
    const flaky = {
      send: async (cmd: BatchGetItemCommand) => {
        const asked = cmd.input.RequestItems![TABLE]!.Keys!;
        calls.push(asked.length);
        if (throttled) return db.client.send(cmd);
        throttled = true;
        const half = Math.floor(asked.length / 2);
        const got = await db.client.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: asked.slice(0, half), ConsistentRead: true } } }));
        return { ...got, UnprocessedKeys: { [TABLE]: { Keys: asked.slice(half), ConsistentRead: true } } };
      },
    };
    const batched = new DynamoThresholdStore(flaky as never, TABLE);
    // Act
    const many = await batched.loadMany(keys);
    // Assess
    for (const k of keys) {
      const one = await store.load(k);
      expect({ k, state: many.get(k) ?? { state: undefined, version: 0 } }).toEqual({ k, state: one });
    }
    expect(many.size).toBe(Math.ceil(250 / 3));
    expect(many.get(keys[3]!)).toEqual({ state: undefined, version: 7 });
    expect(calls.filter((c) => c === 100).length).toBeGreaterThanOrEqual(2);
    expect(calls).toContain(50);
  });

  it("never loses counts when two invocations flush the same group at the same moment", async () => {
    // Prepare: 12 distinct instances read by one principal, split over two files processed at once.
    const ID = "ec2.password-data-read-burst";
    const seq = loadExamples(ID)!.positive[0] as unknown as Sequence;
    const records = expandSequence(seq).slice(0, 6);
    const engine = new RuleEngine(catalog, { only: [ID] });
    const tracker = () => new ThresholdTracker(new DynamoThresholdStore(db.client, TABLE));
    const a = tracker();
    const b = tracker();
    records.forEach((r, i) => {
      const ev = engine.evaluate(r as { eventSource: string; eventName: string });
      if (ev.kind === "findings") for (const o of ev.observations ?? []) (i % 2 ? a : b).observe(o);
    });
    // Act: each file alone is below the threshold of 5; together they reach it.
    const [fa, fb] = await Promise.all([a.flush("file-a"), b.flush("file-b")]);
    // Assess
    expect([...fa, ...fb].map((x) => x.rule)).toEqual([ID]);
  });

  const sequences = catalog.filter(isThresholdRule).flatMap((r) => {
    const ex = loadExamples(r.id)!;
    return [
      ...(ex.positive as unknown as Sequence[]).map((q) => [r.id, "positive", q] as const),
      ...(ex.negative as unknown as Sequence[]).map((q) => [r.id, "negative", q] as const),
    ];
  });

  let tables = 0;
  it.each(sequences.map(([id, kind, q]) => [`${id} ${kind}: ${q.name}`, id, q] as const))(
    "counts %s in DynamoDB exactly as in memory",
    async (_label, id, q) => {
      // Prepare: a table of its own, as the sequences of one rule share principals.
      const table = `${TABLE}-${++tables}`;
      await db.createTable(table);
      // Act: one file per event, as the log analyzer sees a burst spread over deliveries.
      const memory = await runSequence(id, q, { batches: "each" });
      const dynamo = await runSequence(id, q, { batches: "each", store: new DynamoThresholdStore(db.client, table) });
      // Assess: the same alerts, ids included (across files, counting only works through the store).
      expect(dynamo.alerts.map((a) => a.id)).toEqual(memory.alerts.map((a) => a.id));
      expect(dynamo.alerts).toEqual(memory.alerts);
    },
  );
});
