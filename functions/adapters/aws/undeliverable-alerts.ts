import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from "@aws-sdk/client-sqs";
import { boundAlert, clip, TRUNCATED_KEY } from "../../core/alert/bound";
import type { UndeliverableAlert, UndeliverableAlerts } from "../../core/ports";
import { retryFailedEntries } from "./retry";

/** SQS's limit per message and per SendMessageBatch request (the queue's default maximum size). */
const SQS_MAX_BYTES = 262_144;
const SQS_MAX_ENTRIES = 10;

function attr(v: string) {
  return { DataType: "String", StringValue: v };
}

function entryBytes(e: SendMessageBatchRequestEntry): number {
  let n = Buffer.byteLength(e.MessageBody ?? "");
  for (const [k, v] of Object.entries(e.MessageAttributes ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? "") + Buffer.byteLength(v.StringValue ?? "");
  return n;
}

/**
 * The undeliverable-alerts queue: each message body is the alert JSON as trailwatch sends it (what a
 * replay publishes again), with attributes saying why it could not be sent (`error`), which alert and
 * rule, which function (`producer`) and when (`failedAt`). Everything is retried a few times; `put`
 * throws when any alert could not be queued, so the caller fails and retries instead of losing it.
 */
export class SqsUndeliverableAlerts implements UndeliverableAlerts {
  constructor(
    private readonly sqs: Pick<SQSClient, "send">,
    readonly queueUrl: string,
    private readonly opts: { producer?: string; maxAttempts?: number; now?: () => Date } = {},
  ) {}

  async put(items: UndeliverableAlert[]): Promise<void> {
    const failedAt = (this.opts.now?.() ?? new Date()).toISOString();
    const producer = this.opts.producer ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? "trailwatch";
    const entries = items.map((it, i) => this.entry(it, `u${i}`, failedAt, producer));
    const problems: string[] = [];
    let batch: SendMessageBatchRequestEntry[] = [];
    let size = 0;
    const flush = async () => {
      if (batch.length) problems.push(...(await this.sendBatch(batch)));
      batch = [];
      size = 0;
    };
    for (const e of entries) {
      const b = entryBytes(e);
      if (batch.length >= SQS_MAX_ENTRIES || size + b > SQS_MAX_BYTES) await flush();
      batch.push(e);
      size += b;
    }
    await flush();
    if (problems.length) throw new Error(`${problems.length} of ${items.length} undeliverable alert(s) could not be queued on ${this.queueUrl}: ${problems[0]}`);
  }

  private entry(it: UndeliverableAlert, id: string, failedAt: string, producer: string): SendMessageBatchRequestEntry {
    const alert = boundAlert(it.alert);
    const attributes = {
      error: attr(clip(it.reason, 1000)),
      alertId: attr(alert.id || "unknown"),
      rule: attr(alert.rule || "unknown"),
      severity: attr(String(alert.severity)),
      producer: attr(clip(producer, 256)),
      failedAt: attr(failedAt),
    };
    let body = JSON.stringify(alert);
    if (Buffer.byteLength(body) > SQS_MAX_BYTES - 8 * 1024) {
      body = JSON.stringify({ ...alert, context: { [TRUNCATED_KEY]: "context left out: too large for the undeliverable-alerts queue" } });
    }
    return { Id: id, MessageBody: body, MessageAttributes: attributes };
  }

  /** Sends one batch, retrying entries that failed for a transient reason (with backoff); returns why the others failed. */
  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<string[]> {
    const problems: string[] = [];
    const send = async (pending: SendMessageBatchRequestEntry[], _attempt: number, last: boolean): Promise<SendMessageBatchRequestEntry[]> => {
      let res;
      try {
        res = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      } catch (e) {
        problems.push(...pending.map(() => `SendMessageBatch failed: ${(e as Error).name}: ${(e as Error).message}`));
        return [];
      }
      const answered = new Set([...(res.Successful ?? []).map((s) => s.Id), ...(res.Failed ?? []).map((f) => f.Id)]);
      for (const p of pending) if (!answered.has(p.Id)) problems.push(`no result for entry ${p.Id}`);
      const retry: SendMessageBatchRequestEntry[] = [];
      for (const f of res.Failed ?? []) {
        const p = pending.find((x) => x.Id === f.Id);
        if (!p) continue;
        if (f.SenderFault || last) problems.push(`${f.Code ?? "error"} ${f.Message ?? ""}`.trim());
        else retry.push(p);
      }
      return retry;
    };
    await retryFailedEntries(entries, send, { maxAttempts: this.opts.maxAttempts ?? 3, baseMs: 100 });
    return problems;
  }
}
