import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SnsAlertSink } from "../../../functions/adapters/aws/sns-alert-sink";
import { SqsUndeliverableAlerts } from "../../../functions/adapters/aws/undeliverable-alerts";
import { replayUndeliverableAlerts } from "../../../functions/adapters/aws/undeliverable-replay";
import type { Alert } from "../../../functions/core/alert/alert";
import type { AlertSink } from "../../../functions/core/ports";
import { clientSettings } from "../../../functions/adapters/aws/client-settings";
import { startMoto, type LocalMoto } from "../../support/moto";

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const REGION = "us-east-1";

const alert = (i: number): Alert => ({
  id: `id${i}`, rule: "cloudtrail.logging-stopped", title: "CloudTrail logging stopped", severity: "critical", account: "123456789012",
  region: REGION, principal: "arn:aws:iam::123456789012:role/ops", eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging",
  eventTime: "2026-11-20T10:00:00Z", eventId: `e${i}`, summary: `ops stopped logging (${i}) \u202e`, context: { trail: "org-trail" }, remediation: null,
});

describe("the undeliverable-alerts queue against moto's SQS", () => {
  let moto: LocalMoto;
  /** A client as the functions build it (shared settings: timeouts, retries), pointed at moto. */
  let ours: SQSClient;
  /** The replay script's and the test's own client. */
  let sdk: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    moto = await startMoto();
    sdk = new SQSClient({ region: REGION, endpoint: moto.endpoint, credentials });
    ours = new SQSClient({ ...clientSettings({ region: REGION, maxAttempts: 1 }), endpoint: moto.endpoint, credentials });
    queueUrl = (await sdk.send(new CreateQueueCommand({ QueueName: "trailwatch-undeliverable-alerts" }))).QueueUrl!;
  }, 90_000);
  afterAll(async () => {
    ours?.destroy();
    sdk?.destroy();
    await moto?.stop();
  });

  it("queues undeliverable alerts that a replay publishes again and deletes", async () => {
    // Act
    await new SqsUndeliverableAlerts(ours, queueUrl, { producer: "trailwatch-log-analyzer" }).put([0, 1, 2].map((i) => ({ alert: alert(i), reason: `SNS refused alert ${i}` })));
    const published: Alert[] = [];
    const sink: AlertSink = { send: async (a) => void published.push(...a) };
    const report = await replayUndeliverableAlerts(sdk, queueUrl, sink);
    const left = await sdk.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    // Assess
    expect(published.map((a) => a.id).sort()).toEqual(["id0", "id1", "id2"]);
    expect(published.find((a) => a.id === "id1")).toEqual(alert(1));
    expect(report.kept).toEqual([]);
    expect(left.Messages ?? []).toEqual([]);
  });

  it("keeps the reason and the alert's identity as message attributes", async () => {
    await new SqsUndeliverableAlerts(ours, queueUrl, { producer: "trailwatch-trail-guard" }).put([{ alert: alert(7), reason: "SNS refused the alert: InvalidParameter" }]);
    const got = await sdk.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], WaitTimeSeconds: 0 }));
    const m = got.Messages![0]!;
    expect(JSON.parse(m.Body!)).toEqual(alert(7));
    expect(Object.fromEntries(Object.entries(m.MessageAttributes!).map(([k, v]) => [k, v.StringValue]))).toMatchObject({
      error: "SNS refused the alert: InvalidParameter", alertId: "id7", rule: "cloudtrail.logging-stopped", severity: "critical", producer: "trailwatch-trail-guard",
    });
  });

  it("names SQS's error for a queue that does not exist, and the sink then fails rather than lose the alert", async () => {
    const missing = queueUrl.replace(/[^/]+$/, "no-such-queue");
    const err = await ours.send(new SendMessageBatchCommand({ QueueUrl: missing, Entries: [{ Id: "a", MessageBody: "x" }] })).catch((e: unknown) => e);
    expect((err as Error).name).toMatch(/QueueDoesNotExist|NonExistentQueue/);
    const refusing = { send: async () => ({ Failed: [{ Id: "a0", Code: "InvalidParameter", Message: "no", SenderFault: true }] }) } as never;
    await expect(new SnsAlertSink(refusing, "arn:aws:sns:us-east-1:123456789012:t", { undeliverable: new SqsUndeliverableAlerts(ours, missing) }).send([alert(9)])).rejects.toThrow(
      /could not be sent .* nor put on the undeliverable-alerts path: 1 of 1 undeliverable alert\(s\) could not be queued/,
    );
  });
});
