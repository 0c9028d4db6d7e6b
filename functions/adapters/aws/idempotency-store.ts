import { randomUUID } from "node:crypto";
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";

/** The outcome of trying to take an object for processing. */
export type Claim =
  | { status: "claimed"; key: string; token: string }
  /** Done before (a redelivery or a duplicate notification): do nothing. */
  | { status: "completed"; key: string; completedAt?: string }
  /** Someone else is processing it right now; retry later (their lock expires if they die). */
  | { status: "in-progress"; key: string; lockedUntil?: string };

/**
 * The idempotency key of one object's content: `bucket/key#etag`, or `#versionId` when the ETag is
 * unknown. The same object announced twice (S3 redelivery, an S3 event plus CloudTrail's SNS
 * notification, a DLQ replay) maps to one key; a new content under the same key does not.
 */
export function objectIdempotencyKey(o: { bucket: string; key: string; etag?: string; versionId?: string }): string {
  return `${o.bucket}/${o.key}#${o.etag || o.versionId || ""}`;
}

export interface IdempotencyStoreOptions {
  /** How long a completed record is kept (TTL attribute `expiresAt`); default 15 days, beyond SQS's 14-day retention. */
  completedTtlSeconds?: number;
  now?: () => Date;
}

const IN_PROGRESS = "in-progress";
const COMPLETED = "completed";

/**
 * Idempotency records in DynamoDB (table with partition key `pk` S and TTL attribute `expiresAt` N).
 *
 * `claim` is one conditional PutItem: it succeeds when there is no record or the record has
 * expired (`expiresAt` is checked in the condition because TTL deletion lags by up to days). An
 * in-progress record expires with its lock, so a claim held by an invocation that died is taken over
 * after the lock time; a completed record lives for `completedTtlSeconds`. Each claim carries a
 * random token, and `complete`/`release` are conditional on it, so a slow invocation whose lock was
 * taken over cannot overwrite or delete the new owner's record.
 *
 * Written here rather than with Powertools idempotency because the key is only known after
 * GetObject (it includes the ETag S3 returned), a failed claim must be told apart as "completed"
 * (skip) or "in progress" (retry later), and it needs only PutItem/UpdateItem/DeleteItem/GetItem
 * with conditions, which dynalite (the local DynamoDB used in tests) implements faithfully.
 */
export class DynamoIdempotencyStore {
  private readonly completedTtl: number;
  private readonly now: () => Date;

  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly table: string,
    opts: IdempotencyStoreOptions = {},
  ) {
    this.completedTtl = opts.completedTtlSeconds ?? 15 * 24 * 3600;
    this.now = opts.now ?? (() => new Date());
  }

  /** Takes `key` for `lockSeconds` (set it beyond the invocation's remaining time). */
  async claim(key: string, lockSeconds: number, info: Record<string, string> = {}): Promise<Claim> {
    const now = epoch(this.now());
    const token = randomUUID();
    const extra = Object.fromEntries(Object.entries(info).map(([k, v]) => [k, { S: v }]));
    try {
      await this.ddb.send(new PutItemCommand({
        TableName: this.table,
        Item: {
          ...extra,
          pk: { S: key },
          status: { S: IN_PROGRESS },
          token: { S: token },
          expiresAt: { N: String(now + Math.max(1, Math.ceil(lockSeconds))) },
          updatedAt: { S: this.now().toISOString() },
        },
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
        ExpressionAttributeValues: { ":now": { N: String(now) } },
      }));
      return { status: "claimed", key, token };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const got = await this.ddb.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: key } }, ConsistentRead: true }));
    const item = got.Item;
    if (item?.status?.S === COMPLETED) return { status: "completed", key, completedAt: item.updatedAt?.S };
    // In progress, or released between our put and get: either way, try again later.
    const until = item?.expiresAt?.N ? new Date(Number(item.expiresAt.N) * 1000).toISOString() : undefined;
    return { status: "in-progress", key, ...(until ? { lockedUntil: until } : {}) };
  }

  /** Marks a claimed key done. Returns false when the claim had been taken over meanwhile (logged by the caller). */
  async complete(claim: { key: string; token: string }, info: Record<string, string> = {}): Promise<boolean> {
    const names: Record<string, string> = { "#s": "status" };
    const values: Record<string, { S: string } | { N: string }> = {
      ":done": { S: COMPLETED },
      ":exp": { N: String(epoch(this.now()) + this.completedTtl) },
      ":at": { S: this.now().toISOString() },
      ":token": { S: claim.token },
    };
    const sets = ["#s = :done", "expiresAt = :exp", "updatedAt = :at"];
    Object.entries(info).forEach(([k, v], i) => {
      names[`#i${i}`] = k;
      values[`:i${i}`] = { S: v };
      sets.push(`#i${i} = :i${i}`);
    });
    try {
      await this.ddb.send(new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: claim.key } },
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "#tk = :token",
        ExpressionAttributeNames: { ...names, "#tk": "token" },
        ExpressionAttributeValues: values,
      }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** Gives a claim up after a failure so a retry can take the key at once. */
  async release(claim: { key: string; token: string }): Promise<void> {
    try {
      await this.ddb.send(new DeleteItemCommand({
        TableName: this.table,
        Key: { pk: { S: claim.key } },
        ConditionExpression: "#s = :inprogress AND #tk = :token",
        ExpressionAttributeNames: { "#s": "status", "#tk": "token" },
        ExpressionAttributeValues: { ":inprogress": { S: IN_PROGRESS }, ":token": { S: claim.token } },
      }));
    } catch (e) {
      // Not ours any more (taken over after our lock expired): leave it alone.
      if (!isConditionFailure(e)) throw e;
    }
  }
}

function epoch(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

function isConditionFailure(e: unknown): boolean {
  return e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === "ConditionalCheckFailedException";
}
