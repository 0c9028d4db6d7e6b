import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type { Alert } from "../../core/alert/alert";
import type { UndeliverableAlerts } from "../../core/ports";
import type { SecurityHubFindingSink } from "../../adapters/aws/securityhub-sink";
import { alertFromBody } from "../hec-forwarder/forward";

/** The logging the forwarder does (Powertools Logger fits). */
export interface ForwardLogger {
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface FindingsForwardDeps {
  sink: Pick<SecurityHubFindingSink, "deliver">;
  /** Where alerts Security Hub refuses for good go; without it they stay on the queue (its redrive DLQ). */
  undeliverable?: UndeliverableAlerts;
  logger?: ForwardLogger;
}

/** Counts for logs and metrics. */
export interface FindingsForwardSummary {
  messages: number;
  invalid: number;
  duplicates: number;
  imported: number;
  undeliverable: number;
  retried: number;
  requests: number;
}

/**
 * Forwards one SQS batch of alerts to Security Hub. Every message ends in exactly one place:
 * imported (deleted by SQS), refused for good and put on the undeliverable-alerts queue with the
 * reason (deleted), or reported in `batchItemFailures` (SQS delivers it again; after the queue's
 * maxReceiveCount it lands in the redrive DLQ): a message that is not an alert, a request that failed
 * as a whole (throttling, access denied, Security Hub not enabled), a refusal the undeliverable queue
 * could not take. Messages carrying one alert id are imported once and share its fate.
 */
export async function forwardFindings(records: SQSRecord[], deps: FindingsForwardDeps): Promise<SQSBatchResponse & { summary: FindingsForwardSummary }> {
  const failures = new Set<string>();
  const byAlertId = new Map<string, { alert: Alert; messages: SQSRecord[] }>();
  const summary: FindingsForwardSummary = { messages: records.length, invalid: 0, duplicates: 0, imported: 0, undeliverable: 0, retried: 0, requests: 0 };

  for (const rec of records) {
    const parsed = alertFromBody(rec.body);
    if (!parsed.ok) {
      summary.invalid++;
      failures.add(rec.messageId);
      deps.logger?.warn("message is not an alert; left for the queue's dead-letter queue", { messageId: rec.messageId, reason: parsed.reason });
      continue;
    }
    const seen = byAlertId.get(parsed.alert.id);
    if (seen) {
      summary.duplicates++;
      seen.messages.push(rec);
      // The later copy carries the later state (occurrences, remediation outcome).
      seen.alert = parsed.alert;
    } else byAlertId.set(parsed.alert.id, { alert: parsed.alert, messages: [rec] });
  }

  let report;
  try {
    report = await deps.sink.deliver([...byAlertId.entries()].map(([key, v]) => ({ key, alert: v.alert })));
  } catch (e) {
    deps.logger?.error("BatchImportFindings failed; the batch will be delivered again", { error: (e as Error).message, errorName: (e as Error).name });
    for (const v of byAlertId.values()) for (const m of v.messages) failures.add(m.messageId);
    summary.retried = failures.size - summary.invalid;
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })), summary };
  }
  summary.requests = report.requests;
  summary.imported = report.delivered.reduce((n, k) => n + byAlertId.get(k)!.messages.length, 0);

  if (report.refused.length > 0) {
    const refused = report.refused.map((r) => ({ alert: byAlertId.get(r.key)!.alert, reason: r.reason, key: r.key }));
    for (const r of refused) deps.logger?.warn("Security Hub refused the finding", { alertId: r.alert.id, rule: r.alert.rule, reason: r.reason });
    let kept = false;
    if (deps.undeliverable) {
      try {
        await deps.undeliverable.put(refused.map(({ alert, reason }) => ({ alert, reason })));
        kept = true;
        summary.undeliverable = refused.length;
      } catch (e) {
        deps.logger?.error("could not put refused findings on the undeliverable-alerts queue; leaving them on the queue", { error: (e as Error).message });
      }
    }
    if (!kept) for (const r of refused) for (const m of byAlertId.get(r.key)!.messages) failures.add(m.messageId);
  }
  summary.retried = failures.size - summary.invalid;
  return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })), summary };
}
