import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { StoredThresholdState, ThresholdStateStore } from "../../core/ports";
import type { ThresholdState } from "../../core/rules/threshold-window";

/** Key prefix of threshold state in a shared table (object keys start with a bucket name, which holds no `#`). */
export const THRESHOLD_KEY_PREFIX = "threshold#";

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
    const item = got.Item;
    if (!item) return { state: undefined, version: 0 };
    const version = Number(item.version?.N ?? "0");
    const expired = Number(item.expiresAt?.N ?? "0") * 1000 < this.now().getTime();
    if (expired || !item.state?.S) return { state: undefined, version };
    let state: ThresholdState;
    try {
      state = JSON.parse(item.state.S) as ThresholdState;
    } catch {
      // Not ours to fail on: start the group afresh (the next save replaces the item).
      return { state: undefined, version };
    }
    return { state, version };
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
