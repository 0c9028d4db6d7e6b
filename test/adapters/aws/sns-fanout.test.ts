import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { SnsFanoutPublisher } from "../../../functions/adapters/aws/sns-fanout";
import type { FanoutEnvelope } from "../../../functions/core/anomaly/muster";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:trailwatch-anomaly-fanout";
const noSleep = async () => undefined;

function envelopes(n: number): FanoutEnvelope[] {
  return Array.from({ length: n }, (_, i) => {
    const id = String(100000000000 + i);
    return {
      message: { version: 1, unit: "payments", account: { id, name: `a${i}`, email: `a${i}@example.com` }, window: { from: "2026-11-20T09:45:00.000Z", to: "2026-11-20T11:00:00.000Z" }, scheduledTime: "2026-11-20T11:05:00.000Z" },
      attributes: { account: id, unit: "payments", dedicated: i === 0 ? "yes" : "no" },
    };
  });
}

describe("the SNS fan-out", () => {
  it("publishes ten messages per call, with the attributes subscriptions filter on", async () => {
    const mock = mockClient(SNSClient);
    mock.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => ({ Successful: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: "x" })) }));
    const pub = new SnsFanoutPublisher(new SNSClient({ region: "us-east-1" }), TOPIC, { sleep: noSleep });

    const res = await pub.publish(envelopes(25));

    expect(res).toEqual({ published: 25, requests: 3, failed: [] });
    const calls = mock.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.PublishBatchRequestEntries!.length).sort()).toEqual([10, 10, 5]);
    const first = calls.flatMap((c) => c.PublishBatchRequestEntries!).find((e) => e.MessageAttributes!.account!.StringValue === "100000000000")!;
    expect(first.MessageAttributes).toEqual({ account: { DataType: "String", StringValue: "100000000000" }, unit: { DataType: "String", StringValue: "payments" }, dedicated: { DataType: "String", StringValue: "yes" } });
    expect(JSON.parse(first.Message!)).toMatchObject({ version: 1, account: { id: "100000000000" } });
    mock.restore();
  });

  it("retries only the entries SNS failed, and reports those it still could not publish", async () => {
    // Prepare: entry m3 fails twice (throttled internally), m7 is the sender's fault (never retried).
    const mock = mockClient(SNSClient);
    let round = 0;
    mock.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => {
      round++;
      const ids = input.PublishBatchRequestEntries.map((e) => e.Id);
      const failed: { Id: string; Code: string; Message?: string; SenderFault: boolean }[] = [];
      if (ids.includes("m3") && round <= 2) failed.push({ Id: "m3", Code: "InternalError", SenderFault: false });
      if (ids.includes("m7")) failed.push({ Id: "m7", Code: "InvalidParameter", Message: "bad attribute", SenderFault: true });
      return { Successful: ids.filter((id) => !failed.some((f) => f.Id === id)).map((Id) => ({ Id, MessageId: "x" })), Failed: failed };
    });
    const pub = new SnsFanoutPublisher(new SNSClient({ region: "us-east-1" }), TOPIC, { sleep: noSleep });

    // Act
    const res = await pub.publish(envelopes(10));

    // Assess
    expect(res.published).toBe(9);
    expect(res.requests).toBe(3);
    expect(res.failed).toEqual([{ account: "100000000007", reason: "InvalidParameter: bad attribute" }]);
    expect(mock.commandCalls(PublishBatchCommand).map((c) => c.args[0].input.PublishBatchRequestEntries!.map((e) => e.Id))).toEqual([
      ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"],
      ["m3"],
      ["m3"],
    ]);
    mock.restore();
  });

  it("gives up on an entry after the attempts run out, with SNS's reason", async () => {
    const mock = mockClient(SNSClient);
    mock.on(PublishBatchCommand).resolves({ Successful: [], Failed: [{ Id: "m0", Code: "InternalError", SenderFault: false }] });
    const pub = new SnsFanoutPublisher(new SNSClient({ region: "us-east-1" }), TOPIC, { maxAttempts: 3, sleep: noSleep });
    const res = await pub.publish(envelopes(1));
    expect(res).toEqual({ published: 0, requests: 3, failed: [{ account: "100000000000", reason: "InternalError" }] });
    mock.restore();
  });
});
