import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { PublishBatchCommand, SNSClient, type PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { SnsAlertSink } from "../../../functions/adapters/aws/sns-alert-sink";
import { SqsUndeliverableAlerts } from "../../../functions/adapters/aws/undeliverable-alerts";
import { replayUndeliverableAlerts } from "../../../functions/adapters/aws/undeliverable-replay";
import type { Alert } from "../../../functions/core/alert/alert";
import { deepValue } from "../../support/hostile-values";

const QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-undeliverable-alerts";
const TOPIC = "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts";

const alert = (i: number, over: Partial<Alert> = {}): Alert => ({
  id: `id${i}`, rule: "cloudtrail.logging-stopped", title: "CloudTrail logging stopped", severity: "critical", account: "111122223333",
  region: "us-east-1", principal: "arn:aws:iam::111122223333:role/ops", eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging",
  eventTime: "2026-11-20T10:00:00Z", eventId: `e${i}`, summary: `ops stopped logging (${i})`, context: { trail: "org-trail" }, remediation: null, ...over,
});

describe("the undeliverable-alerts queue", () => {
  const sqs = mockClient(SQSClient);
  const sns = mockClient(SNSClient);
  afterEach(() => {
    sqs.reset();
    sns.reset();
  });

  it("keeps each alert as its JSON with why, which alert, which function and when, in batches of ten", async () => {
    const sent: SendMessageBatchRequestEntry[] = [];
    sqs.on(SendMessageBatchCommand).callsFake((input: { QueueUrl: string; Entries: SendMessageBatchRequestEntry[] }) => {
      expect(input.QueueUrl).toBe(QUEUE);
      sent.push(...input.Entries);
      return { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })), Failed: [] };
    });
    const q = new SqsUndeliverableAlerts(new SQSClient({}), QUEUE, { producer: "trailwatch-log-analyzer", now: () => new Date("2026-11-20T10:01:00Z") });
    await q.put(Array.from({ length: 12 }, (_, i) => ({ alert: alert(i, i === 0 ? { context: { v: deepValue(10_000) } } : {}), reason: "SNS refused the alert: InvalidParameter" })));
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 2]);
    expect(JSON.parse(sent[1]!.MessageBody!)).toEqual(alert(1));
    expect(sent[0]!.MessageBody).toContain("[truncated: nested deeper than 8 levels]");
    expect(sent[1]!.MessageAttributes).toEqual({
      error: { DataType: "String", StringValue: "SNS refused the alert: InvalidParameter" },
      alertId: { DataType: "String", StringValue: "id1" },
      rule: { DataType: "String", StringValue: "cloudtrail.logging-stopped" },
      severity: { DataType: "String", StringValue: "critical" },
      producer: { DataType: "String", StringValue: "trailwatch-log-analyzer" },
      failedAt: { DataType: "String", StringValue: "2026-11-20T10:01:00.000Z" },
    });
  });

  it("retries entries SQS failed for a transient reason and throws when one could not be queued", async () => {
    sqs.on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [{ Id: "u0", MessageId: "m0", MD5OfMessageBody: "x" }], Failed: [{ Id: "u1", Code: "InternalError", SenderFault: false }] })
      .resolves({ Successful: [{ Id: "u1", MessageId: "m1", MD5OfMessageBody: "x" }], Failed: [] });
    await new SqsUndeliverableAlerts(new SQSClient({}), QUEUE).put([{ alert: alert(0), reason: "r" }, { alert: alert(1), reason: "r" }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[1]!.args[0].input.Entries!.map((e) => e.Id)).toEqual(["u1"]);

    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: "u0", Code: "KMS.AccessDeniedException", Message: "no key access", SenderFault: true }] });
    await expect(new SqsUndeliverableAlerts(new SQSClient({}), QUEUE).put([{ alert: alert(0), reason: "r" }])).rejects.toThrow(
      `1 of 1 undeliverable alert(s) could not be queued on ${QUEUE}: KMS.AccessDeniedException no key access`,
    );
  });

  it("replays the queue to the topic, deleting each message once sent and keeping what is not an alert or still refused", async () => {
    const body = (a: Alert) => JSON.stringify(a);
    sqs.on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: "m1", ReceiptHandle: "r1", Body: body(alert(1)) },
          { MessageId: "m2", ReceiptHandle: "r2", Body: "not json" },
          { MessageId: "m3", ReceiptHandle: "r3", Body: JSON.stringify({ hello: "world" }) },
          { MessageId: "m4", ReceiptHandle: "r4", Body: body(alert(4, { summary: "refused again" })) },
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => {
      const a = JSON.parse(JSON.parse(input.PublishBatchRequestEntries[0]!.Message!).default) as Alert;
      return a.summary === "refused again"
        ? { Successful: [], Failed: [{ Id: "a0", Code: "InvalidParameter", Message: "still bad", SenderFault: true }] }
        : { Successful: [{ Id: "a0" }], Failed: [] };
    });
    const report = await replayUndeliverableAlerts(new SQSClient({}), QUEUE, new SnsAlertSink(new SNSClient({}), TOPIC));
    expect(report.replayed).toEqual([{ alertId: "id1", rule: "cloudtrail.logging-stopped" }]);
    expect(report.kept.map((k) => k.messageId)).toEqual(["m2", "m3", "m4"]);
    expect(report.kept[1]!.reason).toMatch(/^not an alert: id: /);
    expect(report.kept[2]!.reason).toMatch(/still not sent: SNS rejected 1 alert\(s\)/);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: QUEUE, ReceiptHandle: "r1" }]);
    const published = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input.TopicArn);
    expect(published).toEqual([TOPIC, TOPIC]);
  });

  it("in a dry run sends and deletes nothing", async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ MessageId: "m1", ReceiptHandle: "r1", Body: JSON.stringify(alert(1)) }] }).resolves({ Messages: [] });
    const report = await replayUndeliverableAlerts(new SQSClient({}), QUEUE, new SnsAlertSink(new SNSClient({}), TOPIC), { dryRun: true });
    expect(report.replayed).toHaveLength(1);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});
