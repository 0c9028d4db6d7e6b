import { randomUUID } from "node:crypto";
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { RemediationResult } from "../../../core/alert/alert";

/** What the ledger remembers of an event trailwatch acted on (or is acting on right now). */
export interface LedgerEntry {
  eventId: string;
  state: "in-progress" | "done";
  /** The log object the event was read from, `s3://bucket/key`. */
  source: string;
  action: string;
  /** When the claim was made (ISO). */
  claimedAt: string;
  /** The outcome, once done. */
  outcome?: Pick<RemediationResult, "status" | "detail" | "checks">;
}

/** The result of a claim: this caller may act (`claimed`, with the token that completes or releases it), or it may not. */
export type LedgerClaim = { status: "claimed"; token: string } | { status: "taken"; entry: LedgerEntry | undefined };

/** Where the ledger's state lives: the remediator's DynamoDB table (`DynamoRemediationLedger`). */
export interface RemediationLedger {
  /**
   * Claims `eventId` before acting on it; `keepUntil` is how long the entry must outlive the
   * event's chance to pass the age limit. Only one caller ever gets `claimed` for an event, until
   * it releases the claim or its lock expires (a crashed invocation).
   */
  claim(eventId: string, info: { source: string; action: string; keepUntil: Date }): Promise<LedgerClaim>;
  /** Records the outcome; false when the claim was taken over meanwhile (it outlived its lock). */
  complete(eventId: string, token: string, outcome: NonNullable<LedgerEntry["outcome"]>): Promise<boolean>;
  /** Gives the claim up (a transient failure: the retry may act); false when it was no longer this caller's. */
  release(eventId: string, token: string): Promise<boolean>;
}

export interface DynamoRemediationLedgerOptions {
  /** How long an in-progress claim blocks others (default 180 s: the remediator's 60 s timeout, three times). */
  lockSeconds?: number;
  now?: () => Date;
}

/** Partition key of an event's entry. */
export function ledgerKey(eventId: string): string {
  return `event#${eventId}`;
}

const TEXT_MAX = 1000;

/**
 * The remediation ledger in DynamoDB, keyed by event id (`pk` = `event#<eventId>`), not by log
 * object: a copy of a genuine log file under a second key, or a redelivery after the analyzer's
 * idempotency window, carries the same event id and finds it taken. A claim is one conditional
 * PutItem (no entry yet, or an in-progress one whose lock expired), so two invocations racing on
 * one event act once. Entries expire (TTL `expiresAt`) after `keepUntil`: by then the event is too
 * old to pass the age limit anyway. Table: partition key `pk` (S), TTL attribute `expiresAt`.
 */
export class DynamoRemediationLedger implements RemediationLedger {
  private readonly lockSeconds: number;
  private readonly now: () => Date;

  constructor(private readonly client: Pick<DynamoDBClient, "send">, private readonly table: string, opts: DynamoRemediationLedgerOptions = {}) {
    this.lockSeconds = opts.lockSeconds ?? 180;
    this.now = opts.now ?? (() => new Date());
  }

  async claim(eventId: string, info: { source: string; action: string; keepUntil: Date }): Promise<LedgerClaim> {
    const now = this.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const token = randomUUID();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: S(ledgerKey(eventId)),
            eventId: S(eventId),
            state: S("in-progress"),
            token: S(token),
            source: S(info.source.slice(0, TEXT_MAX)),
            action: S(info.action),
            claimedAt: S(now.toISOString()),
            lockedUntil: N(nowSeconds + this.lockSeconds),
            expiresAt: N(Math.max(Math.floor(info.keepUntil.getTime() / 1000), nowSeconds + this.lockSeconds)),
          },
          ConditionExpression: "attribute_not_exists(pk) OR (#state = :inProgress AND lockedUntil < :now)",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":inProgress": S("in-progress"), ":now": N(nowSeconds) },
        }),
      );
      return { status: "claimed", token };
    } catch (e) {
      if ((e as { name?: string })?.name !== "ConditionalCheckFailedException") throw e;
    }
    const got = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { pk: S(ledgerKey(eventId)) }, ConsistentRead: true }));
    return { status: "taken", entry: entryOf(got.Item) };
  }

  async complete(eventId: string, token: string, outcome: NonNullable<LedgerEntry["outcome"]>): Promise<boolean> {
    try {
      // The outcome is one JSON string: small (bounded texts) and read back only by this class.
      const stored = JSON.stringify({ status: outcome.status, detail: outcome.detail.slice(0, TEXT_MAX), ...(outcome.checks ? { checks: outcome.checks } : {}) });
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: S(ledgerKey(eventId)) },
          UpdateExpression: "SET #state = :done, outcome = :outcome, completedAt = :at REMOVE lockedUntil",
          ConditionExpression: "#token = :token",
          ExpressionAttributeNames: { "#state": "state", "#token": "token" },
          ExpressionAttributeValues: { ":done": S("done"), ":token": S(token), ":at": S(this.now().toISOString()), ":outcome": S(stored) },
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string })?.name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  async release(eventId: string, token: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { pk: S(ledgerKey(eventId)) },
          ConditionExpression: "#token = :token AND #state = :inProgress",
          ExpressionAttributeNames: { "#token": "token", "#state": "state" },
          ExpressionAttributeValues: { ":token": S(token), ":inProgress": S("in-progress") },
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string })?.name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }
}

const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(v) });

/** The entry of an item this ledger wrote; undefined for anything else (e.g. it expired between the two calls). */
function entryOf(item: Record<string, AttributeValue> | undefined): LedgerEntry | undefined {
  const eventId = item?.eventId?.S;
  if (!item || !eventId) return undefined;
  let outcome: LedgerEntry["outcome"] | undefined;
  try {
    const o = item.outcome?.S ? (JSON.parse(item.outcome.S) as LedgerEntry["outcome"]) : undefined;
    if (o && typeof o.status === "string" && typeof o.detail === "string") outcome = o;
  } catch {
    // Not written by this class: no outcome to report.
  }
  return {
    eventId,
    state: item.state?.S === "done" ? "done" : "in-progress",
    source: item.source?.S ?? "",
    action: item.action?.S ?? "",
    claimedAt: item.claimedAt?.S ?? "",
    ...(outcome ? { outcome } : {}),
  };
}
