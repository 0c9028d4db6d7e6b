import { randomUUID } from "node:crypto";
import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** The outcome of trying to take an object for processing. */
export type Claim =
  /** Ours until `complete`/`release`. `sent` lists alert ids an earlier, failed attempt already delivered. */
  | { status: "claimed"; key: string; token: string; sent: string[] }
  /** Done before (a redelivery or a duplicate notification): do nothing. */
  | { status: "completed"; key: string; completedAt?: string }
  /** Someone else is processing it right now; retry later (their lock expires if they die). */
  | { status: "in-progress"; key: string; lockedUntil?: string };

/** A claim that is ours. */
export type OwnClaim = Extract<Claim, { status: "claimed" }>;

/**
 * The idempotency key of one object's content: `bucket/key#etag`, or `#versionId` when the ETag is
 * unknown. The same object announced twice (S3 redelivery, an S3 event plus CloudTrail's SNS
 * notification, a DLQ replay) maps to one key; a new content under the same key does not.
 */
export function objectIdempotencyKey(o: { bucket: string; key: string; etag?: string; versionId?: string }): string {
  return `${o.bucket}/${o.key}#${o.etag || o.versionId || ""}`;
}

export interface IdempotencyStoreOptions {
  /** How long a record is kept (TTL attribute `expiresAt`); default 15 days, beyond SQS's 14-day retention. */
  ttlSeconds?: number;
  now?: () => Date;
}

const IN_PROGRESS = "in-progress";
const COMPLETED = "completed";

/**
 * Idempotency records in DynamoDB (table with partition key `pk` S and TTL attribute `expiresAt` N).
 *
 * `claim` is one conditional UpdateItem that succeeds when there is no record, the record is in
 * progress with an expired lock (`lockedUntil`: its holder died or gave up), or the whole record has
 * expired (`expiresAt` is checked in the condition because TTL deletion lags by up to days). Each
 * claim carries a random token; `complete`, `markSent` and `release` are conditional on it, so a
 * slow invocation whose lock was taken over cannot overwrite the new owner's record.
 *
 * `release` only ends the lock and keeps the record, with the ids of alerts already delivered
 * (`markSent`): a retry after a failure half-way through sends only the alerts that had not gone out.
 *
 * Written here rather than with Powertools idempotency because the key is only known after
 * GetObject (it includes the ETag S3 returned), a failed claim must be told apart as "completed"
 * (skip) or "in progress" (retry later), partial progress (alerts sent) must survive a failure, and
 * it needs only UpdateItem/GetItem with conditions, which dynalite (the local DynamoDB used in tests,
 * without transactions or UpdateTimeToLive) implements faithfully.
 */
export class DynamoIdempotencyStore {
  private readonly ttl: number;
  private readonly now: () => Date;

  constructor(
    private readonly ddb: Pick<DynamoDBClient, "send">,
    private readonly table: string,
    opts: IdempotencyStoreOptions = {},
  ) {
    this.ttl = opts.ttlSeconds ?? 15 * 24 * 3600;
    this.now = opts.now ?? (() => new Date());
  }

  /** Takes `key` for `lockSeconds` (set it beyond the invocation's remaining time). */
  async claim(key: string, lockSeconds: number, info: Record<string, string> = {}): Promise<Claim> {
    const now = epoch(this.now());
    const token = randomUUID();
    const names: Record<string, string> = { "#s": "status", "#tk": "token", "#lk": "lockedUntil", "#exp": "expiresAt", "#at": "updatedAt" };
    const values: Record<string, AttributeValue> = {
      ":inprogress": { S: IN_PROGRESS },
      ":token": { S: token },
      ":lock": { N: String(now + Math.max(1, Math.ceil(lockSeconds))) },
      ":exp": { N: String(now + this.ttl) },
      ":at": { S: this.now().toISOString() },
      ":now": { N: String(now) },
    };
    const sets = ["#s = :inprogress", "#tk = :token", "#lk = :lock", "#exp = :exp", "#at = :at", ...infoSets(info, names, values)];
    try {
      const res = await this.ddb.send(new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: key } },
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "attribute_not_exists(pk) OR (#s = :inprogress AND #lk < :now) OR #exp < :now",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_OLD",
      }));
      const before = res.Attributes;
      const sent = before?.sent?.SS ?? [];
      if (sent.length > 0 && Number(before?.expiresAt?.N ?? 0) < now) {
        // A record past its TTL: what it says was sent belongs to a processing long gone.
        await this.ddb.send(new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: key } },
          UpdateExpression: "REMOVE sent",
          ConditionExpression: "#tk = :token",
          ExpressionAttributeNames: { "#tk": "token" },
          ExpressionAttributeValues: { ":token": { S: token } },
        }));
        return { status: "claimed", key, token, sent: [] };
      }
      return { status: "claimed", key, token, sent };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const got = await this.ddb.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: key } }, ConsistentRead: true }));
    const item = got.Item;
    if (item?.status?.S === COMPLETED) return { status: "completed", key, completedAt: item.updatedAt?.S };
    const until = item?.lockedUntil?.N ? new Date(Number(item.lockedUntil.N) * 1000).toISOString() : undefined;
    return { status: "in-progress", key, ...(until ? { lockedUntil: until } : {}) };
  }

  /** Records that alerts went out, so a retry of this object does not send them again. */
  async markSent(claim: OwnClaim, alertIds: string[]): Promise<void> {
    if (alertIds.length === 0) return;
    await this.ddb.send(new UpdateItemCommand({
      TableName: this.table,
      Key: { pk: { S: claim.key } },
      UpdateExpression: "ADD sent :ids",
      ConditionExpression: "#tk = :token",
      ExpressionAttributeNames: { "#tk": "token" },
      ExpressionAttributeValues: { ":ids": { SS: [...new Set(alertIds)] }, ":token": { S: claim.token } },
    }));
  }

  /** Marks a claimed key done. Returns false when the claim had been taken over meanwhile (the caller logs it). */
  async complete(claim: OwnClaim, info: Record<string, string> = {}): Promise<boolean> {
    const names: Record<string, string> = { "#s": "status", "#tk": "token", "#lk": "lockedUntil", "#exp": "expiresAt", "#at": "updatedAt" };
    const values: Record<string, AttributeValue> = {
      ":done": { S: COMPLETED },
      ":exp": { N: String(epoch(this.now()) + this.ttl) },
      ":at": { S: this.now().toISOString() },
      ":token": { S: claim.token },
    };
    const sets = ["#s = :done", "#exp = :exp", "#at = :at", ...infoSets(info, names, values)];
    try {
      await this.ddb.send(new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: claim.key } },
        UpdateExpression: `SET ${sets.join(", ")} REMOVE #lk`,
        ConditionExpression: "#tk = :token",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** Ends the lock after a failure so a retry can claim at once; what was sent stays recorded. */
  async release(claim: OwnClaim): Promise<void> {
    try {
      await this.ddb.send(new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: claim.key } },
        UpdateExpression: "SET #lk = :zero",
        ConditionExpression: "#s = :inprogress AND #tk = :token",
        ExpressionAttributeNames: { "#s": "status", "#tk": "token", "#lk": "lockedUntil" },
        ExpressionAttributeValues: { ":zero": { N: "0" }, ":inprogress": { S: IN_PROGRESS }, ":token": { S: claim.token } },
      }));
    } catch (e) {
      // Not ours any more (taken over after our lock expired): leave it alone.
      if (!isConditionFailure(e)) throw e;
    }
  }
}

/** `#iN = :iN` assignments for extra string attributes (names are placeholders: any name is safe). */
function infoSets(info: Record<string, string>, names: Record<string, string>, values: Record<string, AttributeValue>): string[] {
  return Object.entries(info).map(([k, v], i) => {
    names[`#i${i}`] = k;
    values[`:i${i}`] = { S: v };
    return `#i${i} = :i${i}`;
  });
}

function epoch(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

function isConditionFailure(e: unknown): boolean {
  return (e as { name?: string })?.name === "ConditionalCheckFailedException";
}
