import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { SqsDeadLetterQueue, type DeadLetter } from "../../../functions/adapters/aws/hec/dead-letter-queue";

const QUEUE = "https://sqs.eu-west-1.amazonaws.com/111122223333/trailwatch-hec-dlq";
const letter = (i: number): DeadLetter => ({ messageId: `msg-${i}`, body: `{"alert":${i}}`, code: "hec-rejected", reason: `HEC said no to ${i}`, alertId: `a${i}` });

describe("the HEC forwarder's dead-letter queue", () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  it("sends each letter unchanged with why as attributes, in batches of ten", async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).callsFake((input: { QueueUrl: string; Entries: SendMessageBatchRequestEntry[] }) => {
      expect(input.QueueUrl).toBe(QUEUE);
      return { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: "x" })), Failed: [] };
    });
    // Act
    const out = await new SqsDeadLetterQueue(new SQSClient({}), QUEUE, { now: () => new Date("2026-11-20T10:00:00Z") }).send(Array.from({ length: 12 }, (_, i) => letter(i)));
    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
    expect(calls.map((e) => e.length)).toEqual([10, 2]);
    expect(calls[0]![1]).toEqual({
      Id: "m1",
      MessageBody: '{"alert":1}',
      MessageAttributes: {
        error: { DataType: "String", StringValue: "HEC said no to 1" },
        errorCode: { DataType: "String", StringValue: "hec-rejected" },
        sourceMessageId: { DataType: "String", StringValue: "msg-1" },
        failedAt: { DataType: "String", StringValue: "2026-11-20T10:00:00.000Z" },
        alertId: { DataType: "String", StringValue: "a1" },
      },
    });
    expect(out).toEqual({ sent: Array.from({ length: 12 }, (_, i) => `msg-${i}`), failed: [] });
  });

  it("sends again only the entries SQS failed for a transient reason, and reports the ones it refused", async () => {
    // Prepare: m1 fails once (SQS's fault), m2 is refused (ours).
    sqs.on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: "m0", MessageId: "x0", MD5OfMessageBody: "x" }],
        Failed: [{ Id: "m1", Code: "InternalError", SenderFault: false }, { Id: "m2", Code: "KMS.AccessDeniedException", Message: "no key access", SenderFault: true }],
      })
      .resolves({ Successful: [{ Id: "m1", MessageId: "x1", MD5OfMessageBody: "x" }], Failed: [] });
    // Act
    const out = await new SqsDeadLetterQueue(new SQSClient({}), QUEUE).send([letter(0), letter(1), letter(2)]);
    // Assess
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.Id))).toEqual([["m0", "m1", "m2"], ["m1"]]);
    expect(out).toEqual({ sent: ["msg-0", "msg-1"], failed: [{ messageId: "msg-2", reason: "dead-letter queue refused the message: KMS.AccessDeniedException no key access" }] });
  });

  it("gives up on an entry that keeps failing after its attempts, and on a whole batch SQS refused", async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: "m0", Code: "InternalError", Message: "try later", SenderFault: false }] });
    // Act
    const kept = await new SqsDeadLetterQueue(new SQSClient({}), QUEUE, { maxAttempts: 2 }).send([letter(0)]);
    sqs.reset();
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    const refused = await new SqsDeadLetterQueue(new SQSClient({}), QUEUE).send([letter(0), letter(1)]);
    // Assess
    expect(kept).toEqual({ sent: [], failed: [{ messageId: "msg-0", reason: "dead-letter queue refused the message: InternalError try later" }] });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect(refused.failed.map((f) => f.reason)).toEqual([`SendMessageBatch to ${QUEUE} failed: AccessDenied: denied`, `SendMessageBatch to ${QUEUE} failed: AccessDenied: denied`]);
  });
});
