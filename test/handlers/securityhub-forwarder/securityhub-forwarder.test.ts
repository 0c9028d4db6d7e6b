/**
 * The Security Hub forwarder with BatchImportFindings mocked (aws-sdk-client-mock: there is no local
 * Security Hub), the mock checking each request it receives: batches of at most 100 findings that
 * carry every required ASFF attribute, repeats updating one finding, FailedFindings retried and then
 * put on the undeliverable-alerts queue, failures of the whole request left for SQS to deliver again.
 */
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding, type BatchImportFindingsCommandInput } from "@aws-sdk/client-securityhub";
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from "@aws-sdk/client-sqs";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import type { Alert } from "../../../functions/core/alert/alert";
import { createSecurityHubForwarderHandler } from "../../../functions/handlers/securityhub-forwarder";

const PRODUCT = "arn:aws:securityhub:eu-west-1:222233334444:product/222233334444/default";
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/222233334444/tw-undeliverable-alerts";
const REQUIRED = ["SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources"] as const;

const alert = (i: number, over: Partial<Alert> = {}): Alert => ({
  id: `alert-${i}`, rule: "iam.user-created", title: "IAM user created", severity: "medium", account: "111122223333", region: "us-east-1",
  principal: "arn:aws:iam::111122223333:user/mallory", eventSource: "iam.amazonaws.com", eventName: "CreateUser", eventTime: "2026-11-20T10:00:00Z",
  eventId: `ev-${i}`, summary: `mallory created user backdoor-${i}`, context: {}, remediation: null, references: { mitre: ["T1136.003"] }, ...over,
});
const record = (body: string, id: string): SQSRecord => ({
  messageId: id, receiptHandle: `r-${id}`, body, attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0" },
  messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:eu-west-1:222233334444:tw-securityhub-findings", awsRegion: "eu-west-1",
});
const event = (records: SQSRecord[]): SQSEvent => ({ Records: records });

describe("the Security Hub forwarder", () => {
  const hub = mockClient(SecurityHubClient);
  const sqs = mockClient(SQSClient);
  const requests = (): BatchImportFindingsCommandInput[] => hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input);
  const queued = (): SendMessageBatchCommandInput[] => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
  const handler = () =>
    createSecurityHubForwarderHandler(
      { SECURITYHUB_PRODUCT_ARN: PRODUCT, UNDELIVERABLE_QUEUE_URL: QUEUE, SECURITYHUB_MAX_ATTEMPTS: "3" },
      { logger: new Logger({ logLevel: "SILENT" }), metrics: new Metrics({ namespace: "test" }), securityHub: new SecurityHubClient({ region: "eu-west-1" }), sqs: new SQSClient({ region: "eu-west-1" }), sleep: async () => undefined },
    );

  beforeEach(() => {
    hub.reset();
    sqs.reset();
    // The mock checks what it receives as Security Hub would: at most 100 findings, each with the required attributes.
    hub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => {
      const findings = input.Findings ?? [];
      if (findings.length === 0 || findings.length > 100) throw Object.assign(new Error("Findings must hold 1-100 findings"), { name: "InvalidInputException" });
      const bad = findings.filter((f) => REQUIRED.some((k) => f[k] === undefined || f[k] === ""));
      return { SuccessCount: findings.length - bad.length, FailedCount: bad.length, FailedFindings: bad.map((f) => ({ Id: f.Id, ErrorCode: "InvalidInput", ErrorMessage: "missing a required attribute" })) };
    });
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({ Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: "x" })), Failed: [] }));
  });

  it("imports a batch as ASFF findings of the account's default product, 100 per request, every required attribute present", async () => {
    // Prepare: 150 alerts, as the queue's raw delivery carries them
    const records = Array.from({ length: 150 }, (_, i) => record(JSON.stringify(alert(i)), `m${i}`));
    // Act
    const res = await handler()(event(records));
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(requests().map((r) => r.Findings!.length)).toEqual([100, 50]);
    const findings: AwsSecurityFinding[] = requests().flatMap((r) => r.Findings!);
    for (const f of findings) for (const k of REQUIRED) expect([k, f[k] !== undefined]).toEqual([k, true]);
    expect(findings[0]).toMatchObject({ ProductArn: PRODUCT, AwsAccountId: "222233334444", Id: "trailwatch/alert-0", Types: ["TTPs/Persistence/T1136.003"], Severity: { Label: "MEDIUM" } });
    expect(new Set(findings.map((f) => f.Id)).size).toBe(150);
    expect(queued()).toEqual([]);
  });

  it("sends one finding for an alert repeated in the batch (its later state), and the same id as before, so Security Hub updates rather than duplicates", async () => {
    // Act
    await handler()(event([record(JSON.stringify(alert(1, { occurrences: 1 })), "a"), record(JSON.stringify(alert(1, { occurrences: 4, lastEventTime: "2026-11-20T12:00:00Z" })), "b")]));
    await handler()(event([record(JSON.stringify(alert(1, { occurrences: 6 })), "c")]));
    // Assess
    const [first, second] = requests().map((r) => r.Findings!);
    expect(first!.map((f) => [f.Id, f.ProductFields!["trailwatch/Occurrences"], f.LastObservedAt])).toEqual([["trailwatch/alert-1", "4", "2026-11-20T12:00:00.000Z"]]);
    expect(second!.map((f) => [f.Id, f.ProductFields!["trailwatch/Occurrences"], f.CreatedAt])).toEqual([["trailwatch/alert-1", "6", "2026-11-20T10:00:00.000Z"]]);
  });

  it("retries the findings Security Hub lists as failed, and puts those it still refuses on the undeliverable-alerts queue with the reason", async () => {
    // Prepare: alert-2 always fails, alert-3 fails once
    let calls = 0;
    hub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => {
      calls++;
      const failed = (input.Findings ?? []).filter((f) => f.Id === "trailwatch/alert-2" || (f.Id === "trailwatch/alert-3" && calls === 1));
      return { SuccessCount: input.Findings!.length - failed.length, FailedCount: failed.length, FailedFindings: failed.map((f) => ({ Id: f.Id, ErrorCode: "LimitExceededException", ErrorMessage: "finding quota" })) };
    });
    // Act
    const res = await handler()(event([1, 2, 3].map((i) => record(JSON.stringify(alert(i)), `m${i}`))));
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(requests().map((r) => r.Findings!.map((f) => f.Id))).toEqual([
      ["trailwatch/alert-1", "trailwatch/alert-2", "trailwatch/alert-3"],
      ["trailwatch/alert-2", "trailwatch/alert-3"],
      ["trailwatch/alert-2"],
    ]);
    const entries = queued().flatMap((q) => q.Entries!);
    expect(queued().map((q) => q.QueueUrl)).toEqual([QUEUE]);
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.MessageBody!)).toMatchObject({ id: "alert-2" });
    expect(entries[0]!.MessageAttributes!.error!.StringValue).toBe("Security Hub refused finding trailwatch/alert-2 after 3 attempt(s): LimitExceededException: finding quota");
  });

  it("leaves the whole batch for SQS to deliver again when the request fails as a whole, and a message that is not an alert for the queue's DLQ", async () => {
    // Prepare
    hub.on(BatchImportFindingsCommand).rejects(Object.assign(new Error("Account 222233334444 is not subscribed to AWS Security Hub"), { name: "InvalidAccessException" }));
    // Act
    const res = await handler()(event([record(JSON.stringify(alert(1)), "m1"), record("{not json", "bad"), record(JSON.stringify(alert(2)), "m2")]));
    // Assess
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["bad", "m1", "m2"]);
    expect(queued()).toEqual([]);
  });

  it("leaves refused findings on the queue when the undeliverable-alerts queue cannot take them either", async () => {
    // Prepare
    hub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => ({ FailedCount: 1, SuccessCount: 0, FailedFindings: input.Findings!.map((f) => ({ Id: f.Id, ErrorCode: "InvalidInput", ErrorMessage: "no" })) }));
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    // Act
    const res = await handler()(event([record(JSON.stringify(alert(1)), "m1")]));
    // Assess
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: "m1" }]);
  });

  it("says what is wrong with its environment", async () => {
    // Act / Assess
    const bad = createSecurityHubForwarderHandler({ SECURITYHUB_PRODUCT_ARN: "arn:aws:securityhub:eu-west-1:222233334444:product/111122223333/default" }, { logger: new Logger({ logLevel: "SILENT" }), metrics: new Metrics({ namespace: "test" }) });
    await expect(bad(event([]))).rejects.toThrow(/securityhub-forwarder: invalid environment: SECURITYHUB_PRODUCT_ARN: must name the same account twice/);
  });
});
