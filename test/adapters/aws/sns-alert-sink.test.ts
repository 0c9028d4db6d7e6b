import { mockClient } from "aws-sdk-client-mock";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { SnsAlertSink } from "../../../functions/adapters/aws/sns-alert-sink";
import type { Alert } from "../../../functions/core/alert/alert";

const alert = (i: number): Alert => ({
  id: `id${i}`, rule: "iam.admin-policy-attached", title: "Admin policy attached", severity: "critical", account: "111122223333",
  region: "us-east-1", principal: "arn:aws:iam::111122223333:user/alice", eventSource: "iam.amazonaws.com", eventName: "AttachUserPolicy",
  eventTime: "2026-11-20T10:00:00Z", eventId: `e${i}`, summary: `alice attached AdministratorAccess to bob (${i})`,
  context: { target: "bob" }, remediation: null,
});

describe("SnsAlertSink", () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());

  it("publishes in batches of ten with a text for email and the alert JSON for queues", async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    await new SnsAlertSink(new SNSClient({}), "arn:aws:sns:us-east-1:111122223333:alerts").send(Array.from({ length: 23 }, (_, i) => alert(i)));
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.map((c) => c.args[0].input.PublishBatchRequestEntries!.length)).toEqual([10, 10, 3]);
    const entry = calls[0]!.args[0].input.PublishBatchRequestEntries![0]!;
    const message = JSON.parse(entry.Message!);
    expect(JSON.parse(message.sqs)).toEqual(alert(0));
    expect(message.email).toMatch(/^alice attached AdministratorAccess to bob \(0\)\n\nSeverity: {3}critical/);
    expect(message.email).not.toMatch(/^\{/);
    expect(entry.Subject).toBe("[trailwatch CRITICAL] iam.admin-policy-attached in 111122223333 (us-east-1)");
    expect(entry.MessageAttributes!.email!.StringValue).toBe("yes");
    expect(entry.MessageAttributes!.severityRank).toEqual({ DataType: "Number", StringValue: "4" });
  });

  it("retries only the entries SNS failed for a transient reason", async () => {
    sns.on(PublishBatchCommand)
      .resolvesOnce({ Successful: [{ Id: "a0" }], Failed: [{ Id: "a1", Code: "InternalError", SenderFault: false }] })
      .resolves({ Successful: [{ Id: "a1" }], Failed: [] });
    await new SnsAlertSink(new SNSClient({}), "arn:aws:sns:us-east-1:111122223333:alerts", { email: false }).send([alert(0), alert(1)]);
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.PublishBatchRequestEntries!.map((e) => e.Id)).toEqual(["a1"]);
    expect(calls[1]!.args[0].input.PublishBatchRequestEntries![0]!.MessageAttributes!.email!.StringValue).toBe("no");
  });

  it("fails loudly on a permanent rejection so the invocation is retried or dead-lettered", async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: "a0", Code: "InvalidParameter", Message: "too long", SenderFault: true }] });
    await expect(new SnsAlertSink(new SNSClient({}), "arn:t").send([alert(0)])).rejects.toThrow(/SNS rejected 1 alert\(s\) for arn:t: InvalidParameter too long/);
  });
});
