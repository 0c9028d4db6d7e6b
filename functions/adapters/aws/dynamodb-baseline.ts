import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { BaselineSnapshot, BaselineStore, BaselineWrite, BaselineWriteStats } from "../../core/anomaly/baseline";
import { ACCOUNT_SK, principalPk, rowOf, snapshotFromRows, type BaselineRow } from "../../core/anomaly/baseline-keys";
import { retryFailedEntries } from "./retry";
import { mapLimit } from "../../core/concurrency";

export interface DynamoBaselineOptions {
  /** Attempts for a batch whose items came back unprocessed (throttling), default 6. */
  maxAttempts?: number;
  /** Parallel Query calls when loading principals, default 8. */
  concurrency?: number;
  /** Base of the exponential backoff in ms, default 50. */
  backoffMs?: number;
}

/**
 * The baseline in DynamoDB. Table: partition key `pk` (S), sort key `sk` (S), TTL attribute
 * `expiresAt` (N); see `core/anomaly/baseline-keys.ts` for the key scheme.
 *
 * - load: one Query per principal active in the window (paged), plus one for the account record.
 * - create (new action, new principal, first run for the account): a conditional PutItem that
 *   only succeeds if no live item exists, so two runs racing on the same new action keep the
 *   first `firstSeen` and the loser is counted, not failed.
 * - refresh (TTL extension of known actions, at most once per `refreshHours`): BatchWriteItem in
 *   batches of 25, unprocessed items retried with exponential backoff and jitter, a bounded number
 *   of times; then the run fails (and is retried by Lambda) rather than looping.
 */
export class DynamoBaselineStore implements BaselineStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly table: string, private readonly opts: DynamoBaselineOptions = {}) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async queryAll(pk: string, onlySk?: string): Promise<BaselineRow[]> {
    const rows: BaselineRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: onlySk ? "pk = :pk AND sk = :sk" : "pk = :pk",
          ExpressionAttributeValues: onlySk ? { ":pk": pk, ":sk": onlySk } : { ":pk": pk },
          ExclusiveStartKey: start,
        }),
      );
      for (const it of res.Items ?? []) rows.push(it as BaselineRow);
      start = res.LastEvaluatedKey;
    } while (start);
    return rows;
  }

  async load(account: string, principals: readonly string[]): Promise<BaselineSnapshot> {
    const pks = [{ pk: account, sk: ACCOUNT_SK as string | undefined }, ...principals.map((p) => ({ pk: principalPk(account, p), sk: undefined }))];
    const parts = await mapLimit(pks, this.opts.concurrency ?? 8, (k) => this.queryAll(k.pk, k.sk));
    return snapshotFromRows(account, parts.flat());
  }

  async apply(account: string, writes: readonly BaselineWrite[], now: Date): Promise<BaselineWriteStats> {
    const nowS = Math.floor(now.getTime() / 1000);
    const stats: BaselineWriteStats = { requests: 0, written: 0, raced: 0 };
    const refresh: BaselineRow[] = [];
    const creates: BaselineRow[] = [];
    for (const w of writes) (w.kind === "create" ? creates : refresh).push(rowOf(account, w));

    await mapLimit(creates, this.opts.concurrency ?? 8, async (row) => {
      stats.requests++;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: row,
            ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
            ExpressionAttributeValues: { ":now": nowS },
          }),
        );
        stats.written++;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || (e as Error).name === "ConditionalCheckFailedException") stats.raced++;
        else throw e;
      }
    });

    const maxAttempts = this.opts.maxAttempts ?? 6;
    const base = this.opts.backoffMs ?? 50;
    for (let i = 0; i < refresh.length; i += 25) {
      const batch = refresh.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      await retryFailedEntries(
        batch,
        async (pending, attempt, last) => {
          stats.requests++;
          const res = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
          const left = (res.UnprocessedItems?.[this.table] ?? []) as typeof pending;
          stats.written += pending.length - left.length;
          if (left.length > 0 && last) throw new Error(`DynamoDB kept ${left.length} baseline write(s) unprocessed after ${attempt} attempts (table ${this.table}); the run will be retried`);
          return left;
        },
        { maxAttempts, baseMs: base },
      );
    }
    return stats;
  }
}
