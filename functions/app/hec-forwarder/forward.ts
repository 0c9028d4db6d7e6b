import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type { Alert } from "../../core/alert/alert";
import { parseAlert } from "../../core/alert/schema";
import type { DeadLetter, SqsDeadLetterQueue } from "../../adapters/aws/hec/dead-letter-queue";
import type { HecAlertSink, SinkLogger } from "../../adapters/aws/hec/sink";

/** Reads an alert from a message body: raw delivery (the alert JSON), or an SNS envelope of it. */
export function alertFromBody(body: string): { ok: true; alert: Alert } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `body is not JSON: ${(err as Error).message}` };
  }
  // Tolerate a subscription without raw message delivery: unwrap the SNS envelope.
  const env = value as { Type?: unknown; Message?: unknown };
  if (env && typeof env === "object" && env.Type === "Notification" && typeof env.Message === "string") {
    try {
      value = JSON.parse(env.Message);
    } catch (err) {
      return { ok: false, reason: `SNS envelope's Message is not JSON: ${(err as Error).message}` };
    }
  }
  const res = parseAlert(value);
  return res.ok ? res : { ok: false, reason: `not an alert: ${res.reason}` };
}

export interface ForwardDeps {
  sink: Pick<HecAlertSink, "deliver">;
  /** Where permanent failures go; without one they are reported as batch failures (and end in the redrive DLQ). */
  deadLetters?: Pick<SqsDeadLetterQueue, "send">;
  logger?: SinkLogger & { error(message: string, ...extra: Record<string, unknown>[]): void };
  /** Epoch ms by which delivery must stop (the Lambda deadline minus a reserve). */
  deadline: number;
}

/** Counts for logs and metrics. */
export interface ForwardSummary {
  messages: number;
  invalid: number;
  duplicates: number;
  delivered: number;
  deadLettered: number;
  deferred: number;
  requests: number;
  retries: number;
}

/**
 * Forwards one SQS batch of alerts to HEC. Every message ends in exactly one place: delivered (deleted
 * by SQS), dead-lettered with its error (permanent: invalid alert, refused by HEC), or reported in
 * `batchItemFailures` (transient: SQS delivers it again, and after maxReceiveCount to the redrive
 * DLQ). Messages carrying the same alert id are sent once and share its fate.
 */
export async function forwardBatch(records: SQSRecord[], deps: ForwardDeps): Promise<SQSBatchResponse & { summary: ForwardSummary }> {
  const letters: DeadLetter[] = [];
  const failures = new Set<string>();
  const byAlertId = new Map<string, { alert: Alert; messages: SQSRecord[] }>();
  let invalid = 0;
  let duplicates = 0;

  for (const rec of records) {
    const parsed = alertFromBody(rec.body);
    if (!parsed.ok) {
      invalid++;
      letters.push({ messageId: rec.messageId, body: rec.body, code: "invalid-alert", reason: parsed.reason });
      continue;
    }
    const seen = byAlertId.get(parsed.alert.id);
    if (seen) {
      duplicates++;
      seen.messages.push(rec);
    } else byAlertId.set(parsed.alert.id, { alert: parsed.alert, messages: [rec] });
  }

  const report = await deps.sink.deliver(
    [...byAlertId.entries()].map(([id, v]) => ({ key: id, alert: v.alert })),
    deps.deadline,
  );
  for (const r of report.rejected) {
    for (const m of byAlertId.get(r.key)!.messages) {
      letters.push({ messageId: m.messageId, body: m.body, code: "hec-rejected", reason: r.reason, alertId: r.key });
    }
  }
  for (const d of report.deferred) for (const m of byAlertId.get(d.key)!.messages) failures.add(m.messageId);

  let deadLettered = 0;
  if (letters.length > 0) {
    if (deps.deadLetters) {
      const res = await deps.deadLetters.send(letters);
      deadLettered = res.sent.length;
      for (const f of res.failed) {
        failures.add(f.messageId);
        deps.logger?.error("could not dead-letter a message; leaving it on the queue", { messageId: f.messageId, reason: f.reason });
      }
    } else {
      for (const l of letters) failures.add(l.messageId);
      deps.logger?.error("permanent failures but no HEC_DLQ_URL; leaving them on the queue for its redrive DLQ", { count: letters.length });
    }
    for (const l of letters) deps.logger?.warn("alert not deliverable", { messageId: l.messageId, alertId: l.alertId, code: l.code, reason: l.reason });
  }

  const summary: ForwardSummary = {
    messages: records.length,
    invalid,
    duplicates,
    delivered: report.delivered.reduce((n, k) => n + byAlertId.get(k)!.messages.length, 0),
    deadLettered,
    deferred: failures.size,
    requests: report.requests,
    retries: report.retries,
  };
  return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })), summary };
}
