import { mockClient } from "aws-sdk-client-mock";
import { PublishBatchCommand, SNSClient, type PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { AlertTooLargeError, SNS_MAX_BATCH_BYTES, SNS_MAX_MESSAGE_BYTES, SnsAlertSink, snsMessageBytes, toEntry } from "../../../functions/adapters/aws/sns-alert-sink";
import type { Alert } from "../../../functions/core/alert/alert";
import { TRUNCATED_KEY } from "../../../functions/core/alert/bound";
import type { UndeliverableAlert } from "../../../functions/core/ports";
import { COSTLY_CHARS, COSTLY_CONTEXTS, deepValue, maximalAlert } from "../../support/hostile-values";

const alert = (i: number, over: Partial<Alert> = {}): Alert => ({
  id: `id${i}`, rule: "iam.admin-policy-attached", title: "Admin policy attached", severity: "critical", account: "111122223333",
  region: "us-east-1", principal: "arn:aws:iam::111122223333:user/alice", eventSource: "iam.amazonaws.com", eventName: "AttachUserPolicy",
  eventTime: "2026-11-20T10:00:00Z", eventId: `e${i}`, summary: `alice attached AdministratorAccess to bob (${i})`,
  context: { target: "bob" }, remediation: null, ...over,
});

const TOPIC = "arn:aws:sns:us-east-1:111122223333:alerts";
const message = (e: PublishBatchRequestEntry) => JSON.parse(e.Message!) as Record<string, string>;

/** Collects what the sink puts on the undeliverable path. */
function deadLetters() {
  const items: UndeliverableAlert[] = [];
  return { items, put: async (x: UndeliverableAlert[]) => void items.push(...x) };
}

describe("SnsAlertSink", () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());
  const acceptAll = () =>
    sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => ({
      Successful: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })), Failed: [],
    }));

  it("publishes in batches of ten with a text for email and the alert JSON once, as default, for every other subscriber", async () => {
    acceptAll();
    await new SnsAlertSink(new SNSClient({}), TOPIC).send(Array.from({ length: 23 }, (_, i) => alert(i)));
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.map((c) => c.args[0].input.PublishBatchRequestEntries!.length)).toEqual([10, 10, 3]);
    const entry = calls[0]!.args[0].input.PublishBatchRequestEntries![0]!;
    const m = message(entry);
    expect(Object.keys(m).sort()).toEqual(["default", "email"]);
    expect(JSON.parse(m.default!)).toEqual(alert(0));
    expect(m.email).toMatch(/^alice attached AdministratorAccess to bob \(0\)\n\nSeverity: {3}critical/);
    expect(entry.Subject).toBe("[trailwatch CRITICAL] iam.admin-policy-attached in 111122223333 (us-east-1)");
    expect(entry.MessageAttributes!.email!.StringValue).toBe("yes");
    expect(entry.MessageAttributes!.severityRank).toEqual({ DataType: "Number", StringValue: "4" });
  });

  it("sends a 70 KB run summary as a message of about its own size, not five times it", () => {
    const summary = alert(0, { rule: "score.run-summary", context: { top: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`#${i + 1}`, "x".repeat(1200)])), problems: Array.from({ length: 60 }, () => "y".repeat(600)) } });
    const json = Buffer.byteLength(JSON.stringify(summary));
    expect(json).toBeGreaterThan(60_000);
    const bytes = snsMessageBytes(toEntry(summary, "a0", true));
    // Once as JSON, once as text for people: about twice, where the alert was embedded three times before.
    expect(bytes).toBeLessThan(2.3 * json);
    expect(bytes).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it("keeps the largest alert anyone can build within SNS's 256 KiB, counted as SNS counts (message, subject, attributes)", () => {
    let worst = 0;
    for (const ch of COSTLY_CHARS) {
      for (const [shape, context] of Object.entries(COSTLY_CONTEXTS)) {
        const entry = toEntry(maximalAlert(ch, context(ch)), "a0", true);
        const bytes = snsMessageBytes(entry);
        expect({ ch, shape, fits: bytes <= SNS_MAX_MESSAGE_BYTES }).toEqual({ ch, shape, fits: true });
        expect(entry.Subject).toMatch(/^[\x20-\x7e]{1,100}$/);
        worst = Math.max(worst, bytes);
      }
    }
    // The worst case found is what the README states; this keeps the two in step.
    expect(worst).toBeGreaterThan(150_000);
    expect(worst).toBeLessThan(250_000);
  });

  it("sends an alert too large for the limit with a reduced context, then without one, and says so in the alert", () => {
    const big = alert(0, { context: { list: Array.from({ length: 100 }, (_, i) => `${i}`.repeat(300)) } });
    const reduced = JSON.parse(message(toEntry(big, "a0", true, 30_000)).default!) as Alert;
    expect((reduced.context.list as unknown[]).length).toBe(20);
    expect(reduced.context[TRUNCATED_KEY]).toMatch(/depth 4, 1,024 characters per string, 20 items/);
    const without = JSON.parse(message(toEntry(big, "a0", true, 6_000)).default!) as Alert;
    expect(without.context).toEqual({ [TRUNCATED_KEY]: expect.stringMatching(/^context left out: the alert was larger than SNS's/) });
    expect(without.summary).toBe(big.summary);
    expect(() => toEntry(big, "a0", true, 500)).toThrow(AlertTooLargeError);
  });

  it("keeps each PublishBatch request within 256 KiB in all", async () => {
    acceptAll();
    const large = Array.from({ length: 10 }, (_, i) => alert(i, { context: { blob: Array.from({ length: 9 }, () => "z".repeat(4000)) } }));
    await new SnsAlertSink(new SNSClient({}), TOPIC).send(large);
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) {
      const total = c.args[0].input.PublishBatchRequestEntries!.reduce((n, e) => n + snsMessageBytes(e), 0);
      expect(total).toBeLessThanOrEqual(SNS_MAX_BATCH_BYTES);
    }
    expect(calls.flatMap((c) => c.args[0].input.PublishBatchRequestEntries!.map((e) => (JSON.parse(message(e).default!) as Alert).id))).toEqual(large.map((a) => a.id));
  });

  it("publishes a 10,000-deep context cut at the depth limit, and the alerts after it", async () => {
    acceptAll();
    await new SnsAlertSink(new SNSClient({}), TOPIC).send([alert(0, { context: { v: deepValue(10_000) } }), alert(1)]);
    const entries = sns.commandCalls(PublishBatchCommand).flatMap((c) => c.args[0].input.PublishBatchRequestEntries!);
    expect(entries).toHaveLength(2);
    expect(message(entries[0]!).default).toContain("[truncated: nested deeper than 8 levels]");
  });

  it("retries only the entries SNS failed for a transient reason", async () => {
    sns.on(PublishBatchCommand)
      .resolvesOnce({ Successful: [{ Id: "a0" }], Failed: [{ Id: "a1", Code: "InternalError", SenderFault: false }] })
      .resolves({ Successful: [{ Id: "a0" }], Failed: [] });
    await new SnsAlertSink(new SNSClient({}), TOPIC, { email: false }).send([alert(0), alert(1)]);
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls).toHaveLength(2);
    const retried = calls[1]!.args[0].input.PublishBatchRequestEntries!;
    expect(retried.map((e) => (JSON.parse(message(e).default!) as Alert).id)).toEqual(["id1"]);
    expect(retried[0]!.MessageAttributes!.email!.StringValue).toBe("no");
  });

  it("puts an alert SNS refuses for good on the undeliverable path and still sends the others", async () => {
    sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => ({
      Successful: input.PublishBatchRequestEntries.filter((e) => e.Id !== "a1").map((e) => ({ Id: e.Id })),
      Failed: input.PublishBatchRequestEntries.filter((e) => e.Id === "a1").map((e) => ({ Id: e.Id, Code: "InvalidParameter", Message: "Invalid parameter: Message too long", SenderFault: true })),
    }));
    const dl = deadLetters();
    const told: string[] = [];
    await new SnsAlertSink(new SNSClient({}), TOPIC, { undeliverable: dl, onUndeliverable: (x) => told.push(x.alert.id) }).send([alert(0), alert(1), alert(2)]);
    expect(dl.items.map((x) => [x.alert.id, x.reason])).toEqual([["id1", `SNS refused the alert for ${TOPIC}: InvalidParameter Invalid parameter: Message too long`]]);
    expect(told).toEqual(["id1"]);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(1);
  });

  it("puts every alert of a request SNS refuses as a whole (topic key disabled) on the undeliverable path, and goes on with the next request", async () => {
    sns.on(PublishBatchCommand)
      .rejectsOnce(Object.assign(new Error("Invalid parameter: KMS key is disabled"), { name: "KMSDisabledException", $fault: "client", $metadata: { httpStatusCode: 400 } }))
      .resolves({ Successful: Array.from({ length: 10 }, (_, i) => ({ Id: `a${i}` })), Failed: [] });
    const dl = deadLetters();
    await new SnsAlertSink(new SNSClient({}), TOPIC, { undeliverable: dl }).send(Array.from({ length: 12 }, (_, i) => alert(i)));
    expect(dl.items.map((x) => x.alert.id)).toEqual(Array.from({ length: 10 }, (_, i) => `id${i}`));
    expect(dl.items[0]!.reason).toMatch(/KMSDisabledException: Invalid parameter: KMS key is disabled/);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(2);
  });

  it("throws on a transient failure of a whole request, so the caller's retry sends it (nothing dead-lettered)", async () => {
    sns.on(PublishBatchCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottledException", $metadata: { httpStatusCode: 400 } }));
    const dl = deadLetters();
    await expect(new SnsAlertSink(new SNSClient({}), TOPIC, { undeliverable: dl }).send([alert(0)])).rejects.toThrow(/Rate exceeded/);
    expect(dl.items).toEqual([]);
  });

  it("without an undeliverable path, sends the others and then fails loudly so the invocation is retried or dead-lettered", async () => {
    sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => ({
      Successful: input.PublishBatchRequestEntries.slice(1).map((e) => ({ Id: e.Id })),
      Failed: [{ Id: "a0", Code: "InvalidParameter", Message: "too long", SenderFault: true }],
    }));
    await expect(new SnsAlertSink(new SNSClient({}), "arn:t").send([alert(0), alert(1)])).rejects.toThrow(/SNS rejected 1 alert\(s\) for arn:t: SNS refused the alert for arn:t: InvalidParameter too long/);
  });

  it("fails (so nothing is lost) when the undeliverable path cannot take the alert either", async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: "a0", Code: "InvalidParameter", Message: "bad", SenderFault: true }] });
    const broken = { put: async () => { throw new Error("AccessDenied on SendMessageBatch"); } };
    await expect(new SnsAlertSink(new SNSClient({}), TOPIC, { undeliverable: broken }).send([alert(0)])).rejects.toThrow(
      /1 alert\(s\) could not be sent \(SNS refused the alert .*InvalidParameter bad\) nor put on the undeliverable-alerts path: AccessDenied on SendMessageBatch/,
    );
  });
});
