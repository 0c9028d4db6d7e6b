import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Alert } from "../../core/alert/alert";
import { parseAlert } from "../../core/alert/schema";
import type { AlertSink } from "../../core/ports";

/** The replay side of the undeliverable-alerts queue (`npm run replay-undeliverable`): it runs from a person's machine, not in a Lambda bundle. */

/** What a replay of the undeliverable-alerts queue did. */
export interface ReplayReport {
  replayed: { alertId: string; rule: string }[];
  /** Messages left on the queue, with why (not an alert, or still refused). */
  kept: { messageId: string; reason: string }[];
}

/**
 * Publishes every alert on the undeliverable-alerts queue again through `sink` (the alert topic),
 * deleting each message only once it was sent. A message that is not an alert, or that the sink
 * still refuses, stays on the queue (it comes back after its visibility timeout) and is reported.
 * Stops when a receive returns nothing or after `maxMessages`.
 */
export async function replayUndeliverableAlerts(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  sink: AlertSink,
  opts: { maxMessages?: number; dryRun?: boolean } = {},
): Promise<ReplayReport> {
  const report: ReplayReport = { replayed: [], kept: [] };
  const max = opts.maxMessages ?? 1000;
  const seen = new Set<string>();
  while (report.replayed.length + report.kept.length < max) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60, MessageAttributeNames: ["All"] }));
    const messages = (res.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ""));
    if (messages.length === 0) break;
    for (const m of messages) {
      seen.add(m.MessageId ?? "");
      let json: unknown;
      try {
        json = JSON.parse(m.Body ?? "");
      } catch (e) {
        report.kept.push({ messageId: m.MessageId ?? "", reason: `not JSON: ${(e as Error).message}` });
        continue;
      }
      const parsed = parseAlert(json);
      if (!parsed.ok) {
        report.kept.push({ messageId: m.MessageId ?? "", reason: `not an alert: ${parsed.reason}` });
        continue;
      }
      const alert: Alert = parsed.alert;
      if (!opts.dryRun) {
        try {
          await sink.send([alert]);
        } catch (e) {
          report.kept.push({ messageId: m.MessageId ?? "", reason: `still not sent: ${(e as Error).message}` });
          continue;
        }
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
      report.replayed.push({ alertId: alert.id, rule: alert.rule });
    }
  }
  return report;
}
