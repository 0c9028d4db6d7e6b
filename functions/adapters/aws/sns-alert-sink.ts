import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from "@aws-sdk/client-sns";
import { severityRank, type Alert, type Severity } from "../../core/alert/alert";
import { alertSubject, alertText } from "../../core/alert/format-text";
import type { AlertSink } from "../../core/ports";

/**
 * Publishes alerts to the alert topic with one message per protocol (`MessageStructure: "json"`):
 * email subscribers get text written for a person, the SQS subscription that feeds Splunk gets the
 * alert JSON. Message attributes `severity`, `rule`, `account` and `email` let subscriptions filter
 * (e.g. email only at high and above, or no email for rows that a run summarises in one mail).
 */
export class SnsAlertSink implements AlertSink {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly opts: { email?: boolean; maxAttempts?: number } = {},
  ) {}

  async send(alerts: Alert[]): Promise<void> {
    for (let i = 0; i < alerts.length; i += 10) await this.publishBatch(alerts.slice(i, i + 10));
  }

  private async publishBatch(batch: Alert[]): Promise<void> {
    let entries: PublishBatchRequestEntry[] = batch.map((a, i) => toEntry(a, `a${i}`, this.opts.email ?? true));
    const maxAttempts = this.opts.maxAttempts ?? 4;
    for (let attempt = 1; entries.length > 0; attempt++) {
      const res = await this.sns.send(new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: entries }));
      const failed = res.Failed ?? [];
      if (failed.length === 0) return;
      const permanent = failed.filter((f) => f.SenderFault);
      if (permanent.length > 0 || attempt >= maxAttempts) {
        const f = (permanent[0] ?? failed[0])!;
        throw new Error(`SNS rejected ${failed.length} alert(s) for ${this.topicArn}: ${f.Code} ${f.Message ?? ""}`.trim());
      }
      const retry = new Set(failed.map((f) => f.Id));
      entries = entries.filter((e) => retry.has(e.Id));
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt * Math.random()));
    }
  }
}

/** The SNS batch entry for one alert (exported for tests and for single publishes). */
export function toEntry(a: Alert, id: string, email: boolean): PublishBatchRequestEntry {
  const json = JSON.stringify(a);
  return {
    Id: id,
    Subject: alertSubject(a),
    MessageStructure: "json",
    Message: JSON.stringify({ default: `${alertSubject(a)}\n\n${a.summary}`, email: alertText(a), sqs: json, lambda: json, https: json }),
    MessageAttributes: {
      severity: { DataType: "String", StringValue: a.severity },
      severityRank: { DataType: "Number", StringValue: String(severityRank(a.severity as Severity)) },
      rule: { DataType: "String", StringValue: a.rule },
      account: { DataType: "String", StringValue: a.account },
      email: { DataType: "String", StringValue: email ? "yes" : "no" },
    },
  };
}
