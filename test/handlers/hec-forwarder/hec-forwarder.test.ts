import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import type { Alert } from "../../../functions/core/alert/alert";
import { createHecForwarderHandler } from "../../../functions/handlers/hec-forwarder";
import { startHecServer, type LocalHec } from "../../support/hec-server";

const TOKEN = "5f8e2c1a-7b3d-4e9f-a0c6-d2b4e6f81357";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:trailwatch/hec-Xy12Ab";
const DLQ_URL = "https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-hec-rejected";

function alert(i: number): Alert {
  return {
    id: `a${String(i).padStart(31, "0")}`,
    rule: "cloudtrail.trail-deleted",
    title: "CloudTrail trail deleted",
    severity: "critical",
    account: "111122223333",
    region: "eu-west-1",
    principal: "arn:aws:iam::111122223333:role/ops",
    principalType: "AssumedRole",
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "DeleteTrail",
    eventTime: "2026-11-23T09:15:00Z",
    eventId: `evt-${i}`,
    summary: `ops deleted trail audit-${i}`,
    context: { trail: `audit-${i}` },
    remediation: null,
  };
}

function record(id: string, body: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "sns", ApproximateFirstReceiveTimestamp: "0" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:111122223333:trailwatch-hec-alerts",
    awsRegion: "us-east-1",
  };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const fromAlerts = (alerts: Alert[]) => batch(...alerts.map((a, i) => record(`m${i}`, JSON.stringify(a))));
const context = (remainingMs = 30_000) => ({ getRemainingTimeInMillis: () => remainingMs });

describe("hec-forwarder handler", () => {
  const sqs = mockClient(SQSClient);
  const sm = mockClient(SecretsManagerClient);
  let hec: LocalHec;
  let deadLettered: SendMessageBatchRequestEntry[];
  let output: string[];

  beforeEach(async () => {
    hec = await startHecServer({ token: TOKEN, requiredFields: ["event", "time", "source", "sourcetype", "host"], allowedIndexes: ["security"] });
    deadLettered = [];
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: SendMessageBatchRequestEntry[] }) => {
      deadLettered.push(...input.Entries);
      return { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `dlq-${e.Id}`, MD5OfMessageBody: "x" })), Failed: [] };
    });
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ token: TOKEN }) });
    output = [];
    for (const stream of [process.stdout, process.stderr]) {
      jest.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        output.push(String(chunk));
        return true;
      });
    }
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    sqs.reset();
    sm.reset();
    await hec.stop();
  });

  function handler(env: Record<string, string> = {}) {
    return createHecForwarderHandler(
      {
        HEC_ENDPOINT: hec.url,
        HEC_TOKEN_SECRET_ARN: SECRET_ARN,
        HEC_INDEX: "security",
        HEC_DLQ_URL: DLQ_URL,
        HEC_REQUEST_TIMEOUT_MS: "1500",
        ...env,
      },
      {
        logger: new Logger({ serviceName: "hec-forwarder", logLevel: "DEBUG" }),
        metrics: new Metrics({ namespace: "trailwatch", serviceName: "hec-forwarder" }),
        sink: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
      },
    );
  }

  const acceptedIds = () => hec.accepted.map((e) => (e.fields as { alert_id: string }).alert_id);

  /** Every message is in exactly one place: its alert accepted once by HEC, the DLQ, or batchItemFailures. */
  function expectNothingLost(event: SQSEvent, failures: { itemIdentifier: string }[]) {
    const failed = new Set(failures.map((f) => f.itemIdentifier));
    const dlq = new Set(deadLettered.map((e) => e.MessageAttributes!.sourceMessageId!.StringValue));
    const accepted = acceptedIds();
    expect(new Set(accepted).size).toBe(accepted.length);
    for (const r of event.Records) {
      const id = (() => {
        try {
          const v = JSON.parse(r.body) as { id?: string; Type?: string; Message?: string };
          return v.Type === "Notification" ? (JSON.parse(v.Message!) as { id?: string }).id : v.id;
        } catch {
          return undefined;
        }
      })();
      const places = [accepted.includes(id ?? "\u0000"), dlq.has(r.messageId), failed.has(r.messageId)].filter(Boolean).length;
      expect({ message: r.messageId, places }).toEqual({ message: r.messageId, places: 1 });
    }
  }

  it("forwards a batch in one HEC request and deletes every message", async () => {
    const event = fromAlerts([alert(1), alert(2), alert(3), alert(4)]);
    const res = await handler()(event, context());
    expect(res.batchItemFailures).toEqual([]);
    expect(hec.requests).toHaveLength(1);
    expect(hec.requests[0]!.events.map((e) => (e.event as Alert).summary)).toEqual(["ops deleted trail audit-1", "ops deleted trail audit-2", "ops deleted trail audit-3", "ops deleted trail audit-4"]);
    expect(hec.requests[0]!.events[0]).toMatchObject({ time: Date.parse("2026-11-23T09:15:00Z") / 1000, host: "111122223333", index: "security", source: "trailwatch", sourcetype: "trailwatch:alert" });
    expect(deadLettered).toEqual([]);
    expectNothingLost(event, res.batchItemFailures);
  });

  it("sends an alert that arrives twice in one batch only once", async () => {
    const event = batch(record("m1", JSON.stringify(alert(1))), record("m2", JSON.stringify(alert(1))), record("m3", JSON.stringify(alert(2))));
    const res = await handler()(event, context());
    expect(res.batchItemFailures).toEqual([]);
    expect(acceptedIds()).toEqual([alert(1).id, alert(2).id]);
  });

  it("unwraps an SNS envelope and dead-letters bodies that are not alerts, with the reason", async () => {
    const envelope = JSON.stringify({ Type: "Notification", MessageId: "n1", TopicArn: "arn:aws:sns:us-east-1:111122223333:alerts", Message: JSON.stringify(alert(7)) });
    const event = batch(
      record("m1", envelope),
      record("m2", "not json"),
      record("m3", JSON.stringify({ ...alert(8), severity: "urgent" })),
    );
    const res = await handler()(event, context());
    expect(res.batchItemFailures).toEqual([]);
    expect(acceptedIds()).toEqual([alert(7).id]);
    expect(deadLettered.map((e) => [e.MessageBody, e.MessageAttributes!.errorCode!.StringValue, e.MessageAttributes!.error!.StringValue])).toEqual([
      ["not json", "invalid-alert", expect.stringMatching(/^body is not JSON: /)],
      [JSON.stringify({ ...alert(8), severity: "urgent" }), "invalid-alert", expect.stringMatching(/^not an alert: severity: /)],
    ]);
    expectNothingLost(event, res.batchItemFailures);
  });

  it("dead-letters only the event HEC refuses and delivers the rest of its batch", async () => {
    hec.rejectEvents((e) => (e.event as Alert).id === alert(3).id, { reportNumber: false });
    const event = fromAlerts([1, 2, 3, 4, 5, 6].map(alert));
    const res = await handler()(event, context());
    expect(res.batchItemFailures).toEqual([]);
    expect(acceptedIds().sort()).toEqual([1, 2, 4, 5, 6].map((i) => alert(i).id).sort());
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]!.MessageBody).toBe(JSON.stringify(alert(3)));
    expect(deadLettered[0]!.MessageAttributes).toMatchObject({
      errorCode: { DataType: "String", StringValue: "hec-rejected" },
      error: { DataType: "String", StringValue: "HEC refused the event: HTTP 400: Invalid data format (code 6)" },
      alertId: { DataType: "String", StringValue: alert(3).id },
      sourceMessageId: { DataType: "String", StringValue: "m2" },
    });
    expect(deadLettered[0]!.MessageAttributes!.failedAt!.StringValue).toMatch(/^\d{4}-\d\d-\d\dT/);
    expectNothingLost(event, res.batchItemFailures);
  });

  it("dead-letters everything HEC refuses for a bad token, after reading the token again once", async () => {
    hec.setToken("the-token-splunk-now-expects");
    const event = fromAlerts([alert(1), alert(2)]);
    const res = await handler()(event, context());
    expect(res.batchItemFailures).toEqual([]);
    expect(hec.requests.map((r) => r.status)).toEqual([403, 403]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(deadLettered.map((e) => e.MessageAttributes!.error!.StringValue)).toEqual([
      "HEC refused the request: HTTP 403: Invalid token (code 4)",
      "HEC refused the request: HTTP 403: Invalid token (code 4)",
    ]);
    expectNothingLost(event, res.batchItemFailures);
  });

  it("leaves messages on the queue when HEC stays down past the time budget, and delivers them once on redelivery", async () => {
    hec.failNext(10_000, { status: 503 });
    const event = fromAlerts([alert(1), alert(2), alert(3)]);
    const started = Date.now();
    const first = await handler()(event, context(5_000 + 400));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["m0", "m1", "m2"]);
    expect(deadLettered).toEqual([]);
    expect(acceptedIds()).toEqual([]);
    expectNothingLost(event, first.batchItemFailures);

    // SQS redelivers the failed messages once HEC has recovered.
    const healthy = await startHecServer({ token: TOKEN });
    try {
      const redelivered = batch(...event.Records.filter((r) => first.batchItemFailures.some((f) => f.itemIdentifier === r.messageId)));
      const second = await createHecForwarderHandler({ HEC_ENDPOINT: healthy.url, HEC_TOKEN_SECRET_ARN: SECRET_ARN, HEC_DLQ_URL: DLQ_URL })(redelivered, context());
      expect(second.batchItemFailures).toEqual([]);
      expect(healthy.accepted.map((e) => (e.event as Alert).id)).toEqual([alert(1).id, alert(2).id, alert(3).id]);
    } finally {
      await healthy.stop();
    }
  });

  it("recovers from 500, 429 with Retry-After and a hung request within one invocation", async () => {
    hec.failNext(1, { status: 500 });
    hec.failNext(1, { status: 429, retryAfter: "0" });
    hec.failNext(1, "hang");
    const event = fromAlerts([alert(1), alert(2)]);
    const res = await handler()(event, context());
    expect(res.batchItemFailures).toEqual([]);
    expect(hec.requests.map((r) => r.status ?? r.fault)).toEqual([500, 429, "hang", 200]);
    expect(acceptedIds()).toEqual([alert(1).id, alert(2).id]);
    expectNothingLost(event, res.batchItemFailures);
  });

  it("keeps a message on the queue when the dead-letter queue cannot take it", async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error("Access to the resource is denied."), { name: "AccessDenied" }));
    const event = batch(record("m1", "{}"), record("m2", JSON.stringify(alert(1))));
    const res = await handler()(event, context());
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: "m1" }]);
    expect(acceptedIds()).toEqual([alert(1).id]);
  });

  it("without HEC_DLQ_URL leaves permanent failures on the queue for its redrive DLQ", async () => {
    const event = batch(record("m1", "[]"), record("m2", JSON.stringify(alert(1))));
    const res = await handler({ HEC_DLQ_URL: "" })(event, context());
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: "m1" }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it("never writes the token to the logs", async () => {
    hec.failNext(1, { status: 503 });
    hec.rejectEvents((e) => (e.event as Alert).id === alert(2).id);
    await handler()(fromAlerts([alert(1), alert(2)]), context());
    hec.setToken("rotated");
    await handler()(fromAlerts([alert(3)]), context());
    const logs = output.join("");
    expect(logs).toContain("batch forwarded");
    expect(logs).toContain("HEC refused the request");
    expect(logs).toContain("retrying HEC request");
    expect(logs).not.toContain(TOKEN);
  });

  it("fails the whole batch with a clear message when configuration is wrong", async () => {
    const event = fromAlerts([alert(1)]);
    await expect(handler({ HEC_ENDPOINT: "" })(event, context())).rejects.toThrow(
      "hec-forwarder: invalid environment: HEC_ENDPOINT: is not set; expected the HEC base URL, e.g. https://splunk.example.com:8088",
    );
    await expect(handler({ HEC_TOKEN_PARAMETER_NAME: "/trailwatch/hec" })(event, context())).rejects.toThrow(
      "hec-forwarder: invalid environment: HEC_TOKEN_SECRET_ARN: set only one of HEC_TOKEN_SECRET_ARN and HEC_TOKEN_PARAMETER_NAME, not both; e.g. ",
    );
    await expect(handler({ HEC_ENDPOINT: "http://splunk.example.com:8088" })(event, context())).rejects.toThrow(
      "hec-forwarder: invalid environment: HEC_ENDPOINT: HEC endpoint http://splunk.example.com:8088 must use https: the token would travel in clear text; expected the HEC base URL, e.g. https://splunk.example.com:8088",
    );
    expect(hec.requests).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it("names every problem of a wrong environment at once, on every batch", async () => {
    const run = handler({ HEC_ENDPOINT: "splunk.example.com", HEC_TOKEN_SECRET_ARN: " ", HEC_DLQ_URL: "trailwatch-hec-rejected", HEC_MAX_BATCH_BYTES: "1MB" });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(run(fromAlerts([alert(1)]), context())).rejects.toThrow(
        /^hec-forwarder: invalid environment: HEC_ENDPOINT: HEC endpoint "splunk\.example\.com" is not a URL; .*; HEC_DLQ_URL: must be an SQS queue URL such as .*; HEC_MAX_BATCH_BYTES: must be an integer from 1024 to 104857600, .*; got "1MB"; HEC_TOKEN_SECRET_ARN: set HEC_TOKEN_SECRET_ARN \(Secrets Manager\) or HEC_TOKEN_PARAMETER_NAME \(SSM SecureString\); e\.g\. /,
      );
    }
    expect(hec.requests).toHaveLength(0);
  });
});
