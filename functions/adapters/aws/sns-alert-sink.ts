import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from "@aws-sdk/client-sns";
import { severityRank, type Alert } from "../../core/alert/alert";
import { boundAlert, TRUNCATED_KEY, type ValueLimits } from "../../core/alert/bound";
import { alertSubject, alertText } from "../../core/alert/format-text";
import type { AlertSink, UndeliverableAlert, UndeliverableAlerts } from "../../core/ports";
import { awsErrorName, isTransientAwsError } from "./aws-error";
import { retryFailedEntries } from "./retry";
import { splitIntoBatches } from "../../core/batches";

/** SNS's limit on one message (message, subject and attributes), and on a whole PublishBatch request. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
export const SNS_MAX_BATCH_BYTES = 262_144;
/** Entries per PublishBatch request. */
const SNS_MAX_BATCH_ENTRIES = 10;

/** The smaller context an alert is sent with when its full form is larger than SNS takes. */
export const REDUCED_CONTEXT_LIMITS: Readonly<ValueLimits> = Object.freeze({ maxDepth: 4, maxString: 1024, maxItems: 20, maxKeys: 20, maxBytes: 8 * 1024 });

/** An alert that does not fit in an SNS message even without its context (cannot happen to a bounded alert). */
export class AlertTooLargeError extends Error {
  override name = "AlertTooLargeError";
}

/**
 * Size of a publish as SNS counts it against its 256 KiB limit: the UTF-8 bytes of the message, the
 * subject, and each message attribute's name, data type and value.
 */
export function snsMessageBytes(e: Pick<PublishBatchRequestEntry, "Message" | "Subject" | "MessageAttributes">): number {
  let n = Buffer.byteLength(e.Message ?? "") + Buffer.byteLength(e.Subject ?? "");
  for (const [name, v] of Object.entries(e.MessageAttributes ?? {})) {
    n += Buffer.byteLength(name) + Buffer.byteLength(v.DataType ?? "") + Buffer.byteLength(v.StringValue ?? "") + (v.BinaryValue?.byteLength ?? 0);
  }
  return n;
}

/** Optional collaborators of the sink. */
export interface SnsAlertSinkOptions {
  /** The `email` message attribute: "yes" lets the e-mail subscriptions have it. Default true. */
  email?: boolean;
  /** PublishBatch attempts for entries SNS failed for a transient reason (default 4). */
  maxAttempts?: number;
  /**
   * Where an alert goes that SNS refuses for good (the message, the topic's key or policy), so the
   * other alerts still go out and a person can replay it. Without it such a refusal throws.
   */
  undeliverable?: UndeliverableAlerts;
  /** Told about every alert put on the undeliverable path. */
  onUndeliverable?: (item: UndeliverableAlert) => void;
}

/**
 * Publishes alerts to the alert topic with one message per protocol (`MessageStructure: "json"`):
 * email subscribers get text written for a person, every other subscriber (the SQS queue that feeds
 * Splunk) gets the alert JSON as `default`, once. Message attributes `severity`, `rule`, `account`,
 * `email` (and `retroHunt` on alerts a retro-hunt found) let subscriptions filter (e.g. email only
 * at high and above, no email for rows that a run summarises in one mail, none for past events).
 *
 * Every message stays within SNS's 256 KiB: the alert is bounded first, and when it is still too large
 * it goes with a smaller context, then without one (`toEntry`). Requests stay within 10 entries and
 * 256 KiB. An alert SNS refuses for good goes to `undeliverable` and the others go on; a transient
 * failure that outlasts the retries throws, so the caller's retry sends it.
 */
export class SnsAlertSink implements AlertSink {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly opts: SnsAlertSinkOptions = {},
  ) {}

  async send(alerts: Alert[]): Promise<void> {
    const refused: UndeliverableAlert[] = [];
    const prepared: { alert: Alert; entry: PublishBatchRequestEntry; bytes: number }[] = [];
    for (const alert of alerts) {
      try {
        const entry = toEntry(alert, "a0", this.opts.email ?? true);
        prepared.push({ alert, entry, bytes: snsMessageBytes(entry) });
      } catch (e) {
        refused.push({ alert: safeAlert(alert), reason: `could not be made into an SNS message: ${(e as Error).message}` });
      }
    }
    for (const batch of splitIntoBatches(prepared, { maxItems: SNS_MAX_BATCH_ENTRIES, maxBytes: SNS_MAX_BATCH_BYTES }, (p) => p.bytes)) refused.push(...(await this.publishBatch(batch)));
    if (refused.length > 0) await this.deadLetter(refused);
  }

  /** Publishes one batch; returns the alerts SNS refused for good. Throws when transient failures outlast the retries. */
  private async publishBatch(batch: { alert: Alert; entry: PublishBatchRequestEntry }[]): Promise<UndeliverableAlert[]> {
    const entries = batch.map((b, i) => ({ alert: b.alert, entry: { ...b.entry, Id: `a${i}` } }));
    const refused: UndeliverableAlert[] = [];
    const send = async (pending: typeof entries, attempt: number, last: boolean): Promise<typeof entries> => {
      let res;
      try {
        res = await this.sns.send(new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: pending.map((p) => p.entry) }));
      } catch (e) {
        // Refused as a whole for a reason retrying does not cure (topic, key or policy): every alert of it is undeliverable.
        if (isTransientAwsError(e) || !this.opts.undeliverable) throw e;
        const reason = `SNS refused PublishBatch to ${this.topicArn}: ${awsErrorName(e)}: ${(e as Error).message}`;
        refused.push(...pending.map((p) => ({ alert: p.alert, reason })));
        return [];
      }
      const failed = res.Failed ?? [];
      const byId = new Map(pending.map((p) => [p.entry.Id, p]));
      const retry: typeof pending = [];
      for (const f of failed) {
        const p = byId.get(f.Id ?? "");
        if (!p) continue;
        const reason = `SNS refused the alert for ${this.topicArn}: ${f.Code ?? "error"} ${f.Message ?? ""}`.trim();
        if (f.SenderFault) refused.push({ alert: p.alert, reason });
        else if (last) throw new Error(`SNS failed ${failed.length} alert(s) for ${this.topicArn} after ${attempt} attempts: ${f.Code} ${f.Message ?? ""}`.trim());
        else retry.push(p);
      }
      return retry;
    };
    await retryFailedEntries(entries, send, { maxAttempts: this.opts.maxAttempts ?? 4, baseMs: 100 });
    return refused;
  }

  private async deadLetter(items: UndeliverableAlert[]): Promise<void> {
    const first = items[0]!;
    if (!this.opts.undeliverable) {
      throw new Error(`SNS rejected ${items.length} alert(s) for ${this.topicArn}: ${first.reason}`);
    }
    try {
      await this.opts.undeliverable.put(items);
    } catch (e) {
      throw new Error(`${items.length} alert(s) could not be sent (${first.reason}) nor put on the undeliverable-alerts path: ${(e as Error).message}`);
    }
    for (const item of items) this.opts.onUndeliverable?.(item);
  }
}


/** The alert bounded, or (should even that throw) its identifying fields only. */
function safeAlert(a: Alert): Alert {
  try {
    return boundAlert(a);
  } catch {
    return boundAlert({ ...a, context: {}, remediation: null });
  }
}

function buildEntry(a: Alert, id: string, email: boolean): PublishBatchRequestEntry {
  const subject = alertSubject(a);
  return {
    Id: id,
    Subject: subject,
    MessageStructure: "json",
    // The alert JSON once, as `default` (SQS, Lambda, HTTPS subscribers); a text for people as `email`.
    Message: JSON.stringify({ default: JSON.stringify(a), email: alertText(a) }),
    MessageAttributes: {
      severity: { DataType: "String", StringValue: a.severity },
      severityRank: { DataType: "Number", StringValue: String(Math.max(0, severityRank(a.severity))) },
      rule: { DataType: "String", StringValue: a.rule || "unknown" },
      account: { DataType: "String", StringValue: a.account || "unknown" },
      email: { DataType: "String", StringValue: email ? "yes" : "no" },
      // Found by a retro-hunt in past logs: e-mail subscriptions leave these out unless configured otherwise.
      ...(a.retroHunt ? { retroHunt: { DataType: "String", StringValue: "yes" } } : {}),
    },
  };
}

/**
 * The SNS batch entry for one alert (exported for tests and for single publishes), within
 * {@link SNS_MAX_MESSAGE_BYTES}: the bounded alert; if that is too large, the alert with a reduced
 * context ({@link REDUCED_CONTEXT_LIMITS}); if that is too, the alert with its context left out and a
 * note saying so. Throws {@link AlertTooLargeError} only if even that does not fit.
 */
export function toEntry(a: Alert, id: string, email: boolean, maxBytes: number = SNS_MAX_MESSAGE_BYTES): PublishBatchRequestEntry {
  const full = boundAlert(a);
  const forms: (() => Alert)[] = [
    () => full,
    () => boundAlert(a, REDUCED_CONTEXT_LIMITS),
    () => ({
      ...full,
      context: { [TRUNCATED_KEY]: `context left out: the alert was larger than SNS's ${SNS_MAX_MESSAGE_BYTES.toLocaleString("en-US")}-byte message limit even with a reduced context` },
    }),
  ];
  let bytes = 0;
  for (const form of forms) {
    const entry = buildEntry(form(), id, email);
    bytes = snsMessageBytes(entry);
    if (bytes <= maxBytes) return entry;
  }
  throw new AlertTooLargeError(`alert ${full.id} (${full.rule}) is ${bytes.toLocaleString("en-US")} bytes as an SNS message even without its context (limit ${maxBytes.toLocaleString("en-US")})`);
}
