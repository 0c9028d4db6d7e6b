import {
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { retryFailedEntries } from "../retry";

/** A message that will never be accepted as it is, with why. */
export interface DeadLetter {
  /** Id of the SQS message it came from (the key the caller reports failures by). */
  messageId: string;
  /** The original message body, unchanged, so a redrive can put it back on the source queue. */
  body: string;
  /** Short machine-readable kind, e.g. `invalid-alert`, `hec-rejected`. */
  code: string;
  /** Why, for people (already free of secrets). */
  reason: string;
  alertId?: string;
}

/** SQS limits for SendMessageBatch. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Sends permanently failed messages to a dead-letter queue with the error as message attributes
 * (`error`, `errorCode`, `alertId`, `sourceMessageId`, `failedAt`). Reports which messages could not be
 * dead-lettered so the caller can leave them on the source queue: nothing is dropped.
 */
export class SqsDeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    readonly queueUrl: string,
    private readonly opts: { maxAttempts?: number; now?: () => Date } = {},
  ) {}

  async send(letters: DeadLetter[]): Promise<{ sent: string[]; failed: { messageId: string; reason: string }[] }> {
    const sent: string[] = [];
    const failed: { messageId: string; reason: string }[] = [];
    const failedAt = (this.opts.now?.() ?? new Date()).toISOString();
    for (const chunk of chunks(letters)) {
      const batch = chunk.map((l, i) => ({ letter: l, entry: toEntry(l, `m${i}`, failedAt) }));
      const send = async (pending: typeof batch, _attempt: number, last: boolean): Promise<typeof batch> => {
        let res;
        try {
          res = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending.map((p) => p.entry) }));
        } catch (err) {
          const reason = `SendMessageBatch to ${this.queueUrl} failed: ${(err as Error).name}: ${(err as Error).message}`;
          for (const p of pending) failed.push({ messageId: p.letter.messageId, reason });
          return [];
        }
        const byId = new Map(pending.map((p) => [p.entry.Id!, p]));
        for (const ok of res.Successful ?? []) {
          const p = byId.get(ok.Id!);
          if (p) sent.push(p.letter.messageId);
        }
        const retry: typeof pending = [];
        const answered = new Set([...(res.Successful ?? []).map((x) => x.Id), ...(res.Failed ?? []).map((x) => x.Id)]);
        for (const p of pending) {
          if (!answered.has(p.entry.Id)) failed.push({ messageId: p.letter.messageId, reason: "dead-letter queue gave no result for the message" });
        }
        for (const f of res.Failed ?? []) {
          const p = byId.get(f.Id!);
          if (!p) continue;
          if (f.SenderFault || last) failed.push({ messageId: p.letter.messageId, reason: `dead-letter queue refused the message: ${f.Code} ${f.Message ?? ""}`.trim() });
          else retry.push(p);
        }
        return retry;
      };
      await retryFailedEntries(batch, send, { maxAttempts: this.opts.maxAttempts ?? 3, baseMs: 100 });
    }
    return { sent, failed };
  }
}

function str(v: string): MessageAttributeValue {
  return { DataType: "String", StringValue: v };
}

function toEntry(l: DeadLetter, id: string, failedAt: string): SendMessageBatchRequestEntry {
  return {
    Id: id,
    MessageBody: l.body,
    MessageAttributes: {
      error: str(l.reason.length > 1000 ? l.reason.slice(0, 997) + "..." : l.reason),
      errorCode: str(l.code),
      sourceMessageId: str(l.messageId),
      failedAt: str(failedAt),
      ...(l.alertId ? { alertId: str(l.alertId) } : {}),
    },
  };
}

/** Size of an entry as SQS counts it: body plus attribute names, types and values. */
function entryBytes(l: DeadLetter): number {
  return Buffer.byteLength(l.body) + Buffer.byteLength(l.reason) + 400;
}

function* chunks(letters: DeadLetter[]): Generator<DeadLetter[]> {
  let cur: DeadLetter[] = [];
  let size = 0;
  for (const l of letters) {
    const b = entryBytes(l);
    if (cur.length > 0 && (cur.length >= MAX_ENTRIES || size + b > MAX_BATCH_BYTES)) {
      yield cur;
      cur = [];
      size = 0;
    }
    cur.push(l);
    size += b;
  }
  if (cur.length) yield cur;
}
