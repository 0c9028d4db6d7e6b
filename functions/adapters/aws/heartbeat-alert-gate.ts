import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Alert } from "../../core/alert/alert";
import type { AlertGate, Candidate, PublishPlan } from "../../core/ports";

/**
 * Without state: ids are stable per hour. Every run publishes (so Splunk learns at once, and drops the
 * repeats by `alert_id`), but only one run an hour marks them for email (the run in the first
 * `periodMinutes` of the hour), plus the first run that sees a condition whose start the status tells
 * (a stop time, a delivery overdue since). A persistent condition therefore mails about once an hour.
 */
export class ClockGate implements AlertGate {
  readonly window = "hour" as const;
  constructor(private readonly periodMinutes: number) {}

  async plan(candidates: Candidate[], now: Date): Promise<PublishPlan> {
    const firstRunOfHour = now.getUTCMinutes() < this.periodMinutes;
    const periodMs = this.periodMinutes * 60_000;
    const isNew = (c: Candidate) => c.since !== undefined && now.getTime() - c.since.getTime() < periodMs;
    const email = candidates.filter((c) => firstRunOfHour || isNew(c)).map((c) => c.alert);
    const quiet = candidates.filter((c) => !(firstRunOfHour || isNew(c))).map((c) => c.alert);
    return { email, quiet, suppressed: [], undo: async () => {} };
  }
}

/**
 * With the idempotency table: ids are stable per UTC day and each is claimed once with a conditional
 * PutItem (`pk = trail-heartbeat#<alert id>`, TTL `expiresAt`), so a persistent condition is published
 * and mailed once a day. A claim that fails for another reason than "already claimed" lets the alert
 * through: a duplicate mail is better than a missed one.
 */
export class DynamoDbGate implements AlertGate {
  readonly window = "day" as const;
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly table: string,
    private readonly opts: { keepDays?: number; onError?: (alert: Alert, err: Error) => void } = {},
  ) {}

  private key(a: Alert) {
    return { pk: { S: `trail-heartbeat#${a.id}` } };
  }

  async plan(candidates: Candidate[], now: Date): Promise<PublishPlan> {
    const expiresAt = Math.floor(now.getTime() / 1000) + (this.opts.keepDays ?? 2) * 86_400;
    const email: Alert[] = [];
    const suppressed: Alert[] = [];
    const claimed = new Set<string>();
    for (const { alert } of candidates) {
      try {
        await this.ddb.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { ...this.key(alert), expiresAt: { N: String(expiresAt) }, rule: { S: alert.rule }, firstSeen: { S: now.toISOString() } },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        claimed.add(alert.id);
        email.push(alert);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as Error).name === "ConditionalCheckFailedException") suppressed.push(alert);
        else {
          this.opts.onError?.(alert, err as Error);
          email.push(alert);
        }
      }
    }
    return {
      email,
      quiet: [],
      suppressed,
      undo: async (unpublished) => {
        for (const a of unpublished) {
          if (!claimed.has(a.id)) continue;
          await this.ddb.send(new DeleteItemCommand({ TableName: this.table, Key: this.key(a) })).catch(() => undefined);
        }
      },
    };
  }
}
