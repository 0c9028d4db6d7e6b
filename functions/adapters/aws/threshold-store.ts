import { BatchGetItemCommand, GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient, type KeysAndAttributes } from "@aws-sdk/client-dynamodb";
import { mapLimit } from "../../core/concurrency";
import { retryFailedEntries } from "./retry";
import type { StoredThresholdState, ThresholdStateStore } from "../../core/ports";
import type { ThresholdState } from "../../core/rules/threshold-window";

/** Key prefix of threshold state in a shared table (object keys start with a bucket name, which holds no `#`). */
export const THRESHOLD_KEY_PREFIX = "threshold#";

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_KEYS = 100;
/** Attempts for keys DynamoDB leaves unprocessed (throttling, the 16 MB answer limit), with backoff. */
const BATCH_GET_ATTEMPTS = 6;

/** DynamoDB's item limit is 400 KB; the state is bounded far below it (see `entryCap`), this is the guard. */
const MAX_STATE_BYTES = 300_000;

export interface DynamoThresholdStoreOptions {
  now?: () => Date;
}

/**
 * Threshold state in the log analyzer's idempotency table (partition key `pk` S, TTL attribute
 * `expiresAt` N), under keys `threshold#<rule id>#<group>`: one item per group with the state as JSON
 * (`state`), a version number (`version`) and the TTL.
 *
 * A save is one conditional UpdateItem on the version the caller loaded (`attribute_not_exists(pk)`
 * for a new group), so concurrent invocations counting the same principal never lose each other's
 * counts: the loser's condition fails and the tracker reloads and merges again. An item past its TTL
 * (DynamoDB deletes them up to days late) is read as no state.
 */
export class DynamoThresholdStore implements ThresholdStateStore {
  private readonly now: () => Date;

  constructor(
    private readonly ddb: Pick<DynamoDBClient, "send">,
    private readonly table: string,
    opts: DynamoThresholdStoreOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  async load(key: string): Promise<StoredThresholdState> {
    const got = await this.ddb.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: THRESHOLD_KEY_PREFIX + key } }, ConsistentRead: true }));
    return got.Item ? this.stateOf(got.Item) : { state: undefined, version: 0 };
  }

  /**
   * Strongly consistent BatchGetItem, 100 keys a call, a few calls at once; keys left unprocessed are
   * asked again with backoff, and what is still unprocessed after that is read one by one.
   */
  async loadMany(keys: readonly string[]): Promise<Map<string, StoredThresholdState>> {
    const out = new Map<string, StoredThresholdState>();
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) chunks.push(keys.slice(i, i + BATCH_GET_KEYS));
    await mapLimit(chunks, 4, async (chunk) => {
      let left: string[] = [];
      await retryFailedEntries(chunk, async (pending, _attempt, last) => {
        const got = await this.ddb.send(new BatchGetItemCommand({
          RequestItems: { [this.table]: { Keys: pending.map((k) => ({ pk: { S: THRESHOLD_KEY_PREFIX + k } })), ConsistentRead: true } },
        }));
        for (const item of got.Responses?.[this.table] ?? []) {
          const pk = item.pk?.S;
          if (pk?.startsWith(THRESHOLD_KEY_PREFIX)) out.set(pk.slice(THRESHOLD_KEY_PREFIX.length), this.stateOf(item));
        }
        const unprocessed = unprocessedKeys(got.UnprocessedKeys?.[this.table]);
        if (last) left = unprocessed;
        return last ? [] : unprocessed;
      }, { maxAttempts: BATCH_GET_ATTEMPTS, baseMs: 50 });
      for (const key of left) out.set(key, await this.load(key));
    });
    return out;
  }

  /** The state an item holds: none when it is past its TTL (DynamoDB deletes such items days late) or unreadable. */
  private stateOf(item: Record<string, AttributeValue>): StoredThresholdState {
    const version = Number(item.version?.N ?? "0");
    const expired = Number(item.expiresAt?.N ?? "0") * 1000 < this.now().getTime();
    if (expired || !item.state?.S) return { state: undefined, version };
    try {
      return { state: JSON.parse(item.state.S) as ThresholdState, version };
    } catch {
      // Not ours to fail on: start the group afresh (the next save replaces the item).
      return { state: undefined, version };
    }
  }

  async save(key: string, state: ThresholdState, expectedVersion: number, expiresAt: Date): Promise<boolean> {
    const json = JSON.stringify(state);
    if (json.length > MAX_STATE_BYTES) throw new Error(`threshold state of ${key} is ${json.length} bytes, over the ${MAX_STATE_BYTES}-byte guard`);
    const values: Record<string, AttributeValue> = {
      ":st": { S: json },
      ":next": { N: String(expectedVersion + 1) },
      ":exp": { N: String(Math.ceil(expiresAt.getTime() / 1000)) },
      ":rule": { S: key.slice(0, key.indexOf("#") >= 0 ? key.indexOf("#") : key.length) },
    };
    if (expectedVersion > 0) values[":expected"] = { N: String(expectedVersion) };
    try {
      await this.ddb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: THRESHOLD_KEY_PREFIX + key } },
          UpdateExpression: "SET #st = :st, #v = :next, #exp = :exp, #rule = :rule",
          ConditionExpression: expectedVersion > 0 ? "#v = :expected" : "attribute_not_exists(pk)",
          ExpressionAttributeNames: { "#st": "state", "#v": "version", "#exp": "expiresAt", "#rule": "rule" },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string })?.name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }
}

/** The threshold keys of a BatchGetItem's UnprocessedKeys for one table. */
function unprocessedKeys(k: KeysAndAttributes | undefined): string[] {
  return (k?.Keys ?? []).flatMap((key) => {
    const pk = key.pk?.S;
    return pk?.startsWith(THRESHOLD_KEY_PREFIX) ? [pk.slice(THRESHOLD_KEY_PREFIX.length)] : [];
  });
}
