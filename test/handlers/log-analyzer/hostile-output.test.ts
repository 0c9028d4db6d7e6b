import { PublishBatchCommand, type PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import type { Alert } from "../../../functions/core/alert/alert";
import type { UndeliverableAlert } from "../../../functions/core/ports";
import { gzipSync } from "node:zlib";
import { jsonWithDeep } from "../../support/hostile-values";
import { CONTEXT, captureStdout, s3Notification, sqsEvent, startHarness, type Harness } from "./harness";
import { attachAdmin, logKey, record, stopLogging } from "./records";

let h: Harness;
let n = 0;
const key = (name: string) => logKey(`hostile-${name}-${++n}`);

/** An RDS instance made public whose security-group list is a deeply nested array (the rule copies it into its context). */
const deepRds = () =>
  record({
    eventSource: "rds.amazonaws.com",
    eventName: "ModifyDBInstance",
    requestParameters: { dBInstanceIdentifier: "db1", publiclyAccessible: true, vPCSecurityGroupIds: "__DEEP__" },
  });

/** A gzipped log file of `records`, the deep value written in as text. */
const putLog = (k: string, records: Record<string, unknown>[]) => h.putRaw(k, gzipSync(jsonWithDeep({ Records: records })));

/** Every entry SNS was asked to publish, and its answer: refuse (SenderFault) the ones `refuse` picks. */
function publishes(refuse: (a: Alert) => boolean = () => false) {
  const asked: Alert[] = [];
  h.sns.reset();
  h.sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => {
    const entries = input.PublishBatchRequestEntries.map((e) => ({ e, a: JSON.parse(JSON.parse(e.Message!).default) as Alert }));
    asked.push(...entries.map((x) => x.a));
    return {
      Successful: entries.filter((x) => !refuse(x.a)).map((x) => ({ Id: x.e.Id, MessageId: `m-${x.e.Id}` })),
      Failed: entries.filter((x) => refuse(x.a)).map((x) => ({ Id: x.e.Id, Code: "InvalidParameter", Message: "Invalid parameter: Message", SenderFault: true })),
    };
  });
  return asked;
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe("log analyzer: one bad value never stops the others", () => {
  it("publishes every alert of a file whose first alert carries a deeply nested value, cut at the depth limit", async () => {
    const asked = publishes();
    const k = key("deep");
    await putLog(k, [deepRds(), attachAdmin("mallory"), stopLogging()]);
    const { result } = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([k])]), CONTEXT));
    expect(result.batchItemFailures).toEqual([]);
    expect(asked.map((a) => a.rule).sort()).toEqual(["cloudtrail.logging-stopped", "iam.admin-policy-attached", "rds.instance-made-public"]);
    const rds = asked.find((a) => a.rule === "rds.instance-made-public")!;
    expect(JSON.stringify(rds.context.vpcSecurityGroupIds)).toContain("[truncated: nested deeper than 8 levels]");
    expect(rds.context._truncated).toMatch(/^context cut to trailwatch's limits/);
  });

  it("puts an alert SNS refuses for good on the undeliverable path, publishes the rest and completes the object", async () => {
    const asked = publishes((a) => a.rule === "iam.admin-policy-attached");
    const kept: UndeliverableAlert[] = [];
    const k = key("refused");
    await putLog(k, [attachAdmin("mallory"), stopLogging(), deepRds()]);
    const analyze = h.analyzer({}, { undeliverable: { put: async (items) => void kept.push(...items) } });
    const { result } = await captureStdout(() => analyze(sqsEvent([s3Notification([k])]), CONTEXT));
    expect(result.batchItemFailures).toEqual([]);
    expect(kept.map((x) => [x.alert.rule, x.reason])).toEqual([["iam.admin-policy-attached", expect.stringMatching(/SNS refused the alert .*InvalidParameter/)]]);
    expect(asked.map((a) => a.rule).sort()).toEqual(["cloudtrail.logging-stopped", "iam.admin-policy-attached", "rds.instance-made-public"]);
    // Done: a redelivery of the same notification sends nothing again.
    const again = publishes();
    await captureStdout(() => analyze(sqsEvent([s3Notification([k])]), CONTEXT));
    expect(again).toEqual([]);
  });

  it("without an undeliverable path, fails the message (it is retried, then reaches the DLQ) rather than drop the refused alert", async () => {
    publishes((a) => a.rule === "iam.admin-policy-attached");
    const k = key("no-path");
    await putLog(k, [attachAdmin("mallory")]);
    const event = sqsEvent([s3Notification([k])]);
    const { result } = await captureStdout(() => h.analyzer()(event, CONTEXT));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
  });
});
