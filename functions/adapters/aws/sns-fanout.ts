import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from "@aws-sdk/client-sns";
import type { FanoutEnvelope, FanoutPublisher } from "../../core/anomaly/muster";
import { isThrottlingAwsError } from "./aws-error";
import { retryFailedEntries } from "./retry";

export interface SnsFanoutOptions {
  /** PublishBatch calls in flight at once, default 8. */
  concurrency?: number;
  /** Attempts per entry (failed entries are retried alone), default 5. */
  maxAttempts?: number;
  /** Base of the exponential backoff with full jitter, ms (default 100). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Fans out muster's messages with SNS PublishBatch, ten per call and several calls at once, no
 * deliberate pauses. Message attributes `account`, `unit` and `dedicated` are what discernment
 * subscriptions filter on. Entries SNS reports as failed are retried alone (with backoff) unless
 * the failure is the sender's fault (bad input, never retried); a throttled call is retried
 * whole. After the attempts run out the entry is returned as failed, with SNS's reason.
 */
export class SnsFanoutPublisher implements FanoutPublisher {
  constructor(private readonly sns: SNSClient, private readonly topicArn: string, private readonly o: SnsFanoutOptions = {}) {}

  async publish(envelopes: readonly FanoutEnvelope[]) {
    const batches: FanoutEnvelope[][] = [];
    for (let i = 0; i < envelopes.length; i += 10) batches.push(envelopes.slice(i, i + 10));
    let requests = 0;
    let published = 0;
    const failed: { account: string; reason: string }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const r = await this.publishBatch(batch);
        requests += r.requests;
        published += r.published;
        failed.push(...r.failed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 8, batches.length) }, worker));
    return { published, requests, failed };
  }

  private async publishBatch(batch: FanoutEnvelope[]) {
    const byId = new Map<string, FanoutEnvelope>();
    const entries: PublishBatchRequestEntry[] = batch.map((e, i) => {
      const id = `m${i}`;
      byId.set(id, e);
      return {
        Id: id,
        Message: JSON.stringify(e.message),
        MessageAttributes: {
          account: { DataType: "String", StringValue: e.attributes.account },
          unit: { DataType: "String", StringValue: e.attributes.unit },
          dedicated: { DataType: "String", StringValue: e.attributes.dedicated },
        },
      };
    });
    const failed: { account: string; reason: string }[] = [];
    let requests = 0;
    let published = 0;
    const send = async (pending: PublishBatchRequestEntry[], _attempt: number, last: boolean): Promise<PublishBatchRequestEntry[]> => {
      requests++;
      let res;
      try {
        res = await this.sns.send(new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: pending }));
      } catch (e) {
        if (isThrottlingAwsError(e) && !last) return pending;
        for (const en of pending) failed.push({ account: byId.get(en.Id!)!.attributes.account, reason: `${(e as Error).name}: ${(e as Error).message}` });
        return [];
      }
      published += res.Successful?.length ?? 0;
      const retry = new Set<string>();
      for (const f of res.Failed ?? []) {
        const account = byId.get(f.Id ?? "")?.attributes.account ?? "unknown";
        if (f.SenderFault || last) failed.push({ account, reason: `${f.Code ?? "Failed"}${f.Message ? `: ${f.Message}` : ""}` });
        else retry.add(f.Id!);
      }
      return pending.filter((en) => retry.has(en.Id!));
    };
    await retryFailedEntries(entries, send, { maxAttempts: this.o.maxAttempts ?? 5, baseMs: this.o.backoffMs ?? 100, ...(this.o.sleep ? { sleep: this.o.sleep } : {}) });
    return { requests, published, failed };
  }
}
