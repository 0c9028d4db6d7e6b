import { Logger } from "@aws-lambda-powertools/logger";
import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { TrailControl } from "../../../functions/adapters/aws/trail-status";
import type { Alert } from "../../../functions/core/alert/alert";
import { logAnalyzerConfig } from "../../../functions/handlers/log-analyzer/config";
import { createAlertHandler } from "../../../functions/handlers/scoring/alert";
import { createTrailGuardHandler } from "../../../functions/handlers/trail-guard";
import { catalog } from "../../../functions/core/rules/catalog";
import { ACCOUNT, apiCall, GUARD_ROLE, TRAIL_ARN, TRAIL_REGION } from "../trail-guard/events";

const QUEUE = `https://sqs.${TRAIL_REGION}.amazonaws.com/${ACCOUNT}/trailwatch-undeliverable-alerts`;
const TOPIC = `arn:aws:sns:${TRAIL_REGION}:${ACCOUNT}:trailwatch-alerts`;

/**
 * The functions that publish alerts, wired from their environment with UNDELIVERABLE_QUEUE_URL: an
 * alert SNS refuses for good ends on that queue (SQS mocked, checking what it receives) and the
 * invocation succeeds, instead of failing and leaving the alert to a function-level DLQ.
 */
describe("UNDELIVERABLE_QUEUE_URL", () => {
  const sns = mockClient(SNSClient);
  const sqs = mockClient(SQSClient);
  const cloudtrail = mockClient(CloudTrailClient);
  let queued: SendMessageBatchRequestEntry[];

  beforeEach(() => {
    queued = [];
    sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
      Successful: [],
      Failed: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, Code: "KMSAccessDenied", Message: "SNS could not use the topic's key", SenderFault: true })),
    }));
    sqs.on(SendMessageBatchCommand).callsFake((input: { QueueUrl: string; Entries: SendMessageBatchRequestEntry[] }) => {
      expect(input.QueueUrl).toBe(QUEUE);
      queued.push(...input.Entries);
      return { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: "x" })), Failed: [] };
    });
    cloudtrail.on(StartLoggingCommand).resolves({});
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  });
  afterEach(() => {
    sns.reset();
    sqs.reset();
    cloudtrail.reset();
  });

  it("trail guard: the refused alert goes to the queue with the reason, and the invocation succeeds", async () => {
    const guard = createTrailGuardHandler(
      { ALERT_TOPIC_ARN: TOPIC, PROTECTED_TRAILS: JSON.stringify([TRAIL_ARN]), FUNCTION_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/${GUARD_ROLE}`, UNDELIVERABLE_QUEUE_URL: QUEUE },
      { control: new TrailControl((region) => new CloudTrailClient({ region })), logger: new Logger({ serviceName: "trail-guard", logLevel: "SILENT" }), sqs: new SQSClient({}) },
    );
    const out = await guard(apiCall({ eventName: "StopLogging", requestParameters: { name: "org-trail" } }));
    expect(out.outcome).toBe("alerted");
    expect(queued).toHaveLength(1);
    expect((JSON.parse(queued[0]!.MessageBody!) as Alert).rule).toBe("cloudtrail.logging-stopped");
    expect(queued[0]!.MessageAttributes!.error!.StringValue).toMatch(/KMSAccessDenied SNS could not use the topic's key/);
  });

  it("scoring alert function: a failed-run alert SNS refuses goes to the queue, and the step succeeds", async () => {
    const handler = createAlertHandler(
      { WORK_BUCKET: "trailwatch-scoring-work", ALERT_TOPIC_ARN: TOPIC, UNDELIVERABLE_QUEUE_URL: QUEUE },
      { sns: new SNSClient({}), sqs: new SQSClient({}), logger: new Logger({ serviceName: "scoring-alert", logLevel: "SILENT" }), now: () => new Date("2026-11-21T01:00:00Z") },
    );
    const out = await handler({ action: "failure", state: { aws_account: ACCOUNT, aws_region: TRAIL_REGION, error: { Error: "States.Timeout", Cause: "timed out" } }, execution: { id: "arn:exec", name: "exec" } } as never);
    expect(out).toMatchObject({ reported: true });
    expect(queued.map((e) => (JSON.parse(e.MessageBody!) as Alert).rule)).toEqual(["score.run-failed"]);
  });

  it("log analyzer: the variable must be an SQS queue URL", () => {
    const env = { AWS_REGION: "us-east-1", ALERT_TOPIC_ARN: TOPIC, IDEMPOTENCY_TABLE: "trailwatch-idempotency" };
    expect(logAnalyzerConfig(catalog, { ...env, UNDELIVERABLE_QUEUE_URL: QUEUE }).undeliverableQueueUrl).toBe(QUEUE);
    expect(logAnalyzerConfig(catalog, { ...env, UNDELIVERABLE_QUEUE_URL: " " }).undeliverableQueueUrl).toBeUndefined();
    expect(() => logAnalyzerConfig(catalog, { ...env, UNDELIVERABLE_QUEUE_URL: "arn:aws:sqs:us-east-1:111122223333:q" })).toThrow(/UNDELIVERABLE_QUEUE_URL: must be an SQS queue URL such as https:\/\/sqs\./);
  });
});
