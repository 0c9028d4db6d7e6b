import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { createDiscernmentHandler } from "../../../functions/handlers/discernment";
import { DynamoBaselineStore } from "../../../functions/adapters/aws/dynamodb-baseline";
import { DuckDbActivityQuery, discoverAccounts } from "../../../functions/adapters/local/duckdb-activity";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";
import { gzipSync } from "node:zlib";
import { deliver, identities, ORG_ID, writeRawLogFile } from "../../core/anomaly/fixture-logs";

// Quiet logs: failures are asserted, not printed.
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED = "true";

const ACCT = "111122223333";
const FANOUT = "arn:aws:sns:us-east-1:999999999999:trailwatch-anomaly-fanout";
const ALERTS = "arn:aws:sns:us-east-1:999999999999:trailwatch-alerts";
const env = {
  AWS_REGION: "us-east-1", ALERT_TOPIC_ARN: ALERTS, FANOUT_TOPIC_ARN: FANOUT, BASELINE_TABLE: "baseline",
  ATHENA_WORKGROUP: "trailwatch-anomaly", GLUE_DATABASE: "trailwatch_anomaly", GLUE_TABLE: "cloudtrail",
  LOG_BUCKET: "org-trail-logs", LOG_LAYOUT: "organization", ORGANIZATION_ID: ORG_ID, ANOMALY_SETTINGS: JSON.stringify({ warmUpDays: 2 }),
};
const layout = { type: "organization", organizationId: ORG_ID } as const;

function snsEvent(messages: unknown[], topic = FANOUT) {
  return { Records: messages.map((m, i) => ({ EventSource: "aws:sns", Sns: { TopicArn: topic, MessageId: `id-${i}`, Message: typeof m === "string" ? m : JSON.stringify(m) } })) };
}
function message(account: string, to: string) {
  const from = new Date(Date.parse(to) - 75 * 60_000).toISOString();
  return { version: 1, unit: "payments", account: { id: account, name: "prod", email: "ops@example.com" }, window: { from, to }, scheduledTime: to };
}

describe("the discernment handler", () => {
  let ddb: LocalDynamo;
  let root: string;
  let sns: ReturnType<typeof mockClient>;
  beforeAll(async () => {
    ddb = await startDynalite();
    await ddb.createTable("baseline", { sortKey: "sk" });
    // Logs: app reads every hour for three days; on the last day, 10:20, it creates an access key.
    root = mkdtempSync(join(tmpdir(), "tw-disc-"));
    const role = identities.role(ACCT, "app");
    const events = [];
    for (let h = 0; h < 72; h++) {
      const t = new Date(Date.parse("2026-11-18T00:10:00Z") + h * 3_600_000).toISOString().replace(".000", "");
      events.push({ time: t, source: "s3.amazonaws.com", name: "ListBuckets", identity: role });
    }
    events.push({ time: "2026-11-20T10:20:00Z", source: "iam.amazonaws.com", name: "CreateAccessKey", identity: role, readOnly: false });
    events.push({ time: "2026-11-20T10:25:00Z", source: "kms.amazonaws.com", name: "Decrypt", identity: identities.service("ec2.amazonaws.com") });
    deliver(root, layout, ACCT, events);
  });
  afterAll(async () => {
    await ddb.stop();
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    sns = mockClient(SNSClient);
    sns.on(PublishBatchCommand).callsFake((i: { PublishBatchRequestEntries: { Id: string }[] }) => ({ Successful: i.PublishBatchRequestEntries.map((e) => ({ Id: e.Id })) }));
  });
  afterEach(() => sns.restore());

  async function handlerWithLocalEngines() {
    const activity = await DuckDbActivityQuery.create(await discoverAccounts([root]));
    const handler = createDiscernmentHandler(env, { activity, baseline: new DynamoBaselineStore(ddb.client, "baseline") });
    return { handler, close: () => activity.close() };
  }

  it("learns hour by hour, then alerts through the alert topic on the first new action after warm-up", async () => {
    // Prepare
    const { handler, close } = await handlerWithLocalEngines();

    // Act: every hourly message from the first day to 11:00 on the third.
    let alerts = 0;
    for (let h = 1; h <= 59; h++) {
      const to = new Date(Date.parse("2026-11-18T00:00:00Z") + h * 3_600_000).toISOString();
      alerts += (await handler(snsEvent([message(ACCT, to)]))).alerts;
    }
    close();

    // Assess: one alert, published with the routing attributes; service activity never alerts.
    expect(alerts).toBe(1);
    const entries = sns.commandCalls(PublishBatchCommand).flatMap((c) => c.args[0].input.PublishBatchRequestEntries!);
    expect(sns.commandCalls(PublishBatchCommand)[0]!.args[0].input.TopicArn).toBe(ALERTS);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.MessageAttributes!.rule!.StringValue).toBe("anomaly.new-behavior");
    expect(entries[0]!.MessageAttributes!.account!.StringValue).toBe(ACCT);
    const alert = JSON.parse(JSON.parse(entries[0]!.Message!).default);
    expect(alert).toMatchObject({ principal: `arn:aws:iam::${ACCT}:role/app`, eventName: "CreateAccessKey", severity: "medium", context: { accountName: "prod", unit: "payments" } });
  });

  it("processes every record, refuses what it must not trust, and fails the invocation naming each bad record", async () => {
    const { handler, close } = await handlerWithLocalEngines();
    const injected = { ...message(ACCT, "2026-11-20T12:00:00.000Z"), account: { id: "1' OR '1'='1", name: "x", email: "y" } };
    const err = await handler(snsEvent([message(ACCT, "2026-11-20T12:00:00.000Z"), injected, "not json"])).catch((e: Error) => e);
    close();
    expect((err as Error).message).toMatch(/^discernment: 2 of 3 message\(s\) failed: record 1 \(id-1\): fan-out message is not valid: account\.id: .* \| record 2 \(id-2\): fan-out message is not JSON/);
  });

  it("leaves a damaged log file out of the window, logs it for a person, and still completes the run", async () => {
    // Prepare: a cut-off gzip file delivered inside the window of 2026-11-20 15:00.
    const dir = mkdtempSync(join(tmpdir(), "tw-disc-bad-"));
    deliver(dir, layout, ACCT, [{ time: "2026-11-20T14:10:00Z", source: "s3.amazonaws.com", name: "ListBuckets", identity: identities.role(ACCT, "app") }]);
    const bad = writeRawLogFile(dir, layout, ACCT, "us-east-1", new Date("2026-11-20T14:20:00Z"), gzipSync(JSON.stringify({ Records: [] }) + " ".repeat(5000)).subarray(0, 40));
    const warnings: { message: string; extra: Record<string, unknown> }[] = [];
    const logger = { addContext() {}, info() {}, error() {}, warn: (message: string, extra: Record<string, unknown>) => void warnings.push({ message, extra }) };
    const activity = await DuckDbActivityQuery.create(await discoverAccounts([dir]));
    const handler = createDiscernmentHandler(env, { activity, baseline: new DynamoBaselineStore(ddb.client, "baseline"), logger: logger as never });

    // Act
    const res = await handler(snsEvent([message(ACCT, "2026-11-20T15:00:00.000Z")]));
    activity.close();
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(res.processed).toBe(1);
    expect(warnings).toEqual([{ message: "damaged log files left out of the activity query", extra: expect.objectContaining({ account: ACCT, skipped: [{ file: bad, reason: expect.any(String) }] }) }]);
  });

  it("ignores messages from any other topic and, when dedicated, for any other account", async () => {
    const { handler, close } = await handlerWithLocalEngines();
    await expect(handler(snsEvent([message(ACCT, "2026-11-20T12:00:00.000Z")], "arn:aws:sns:us-east-1:999999999999:other"))).rejects.toThrow(/not the fan-out topic/);
    const dedicated = createDiscernmentHandler({ ...env, ACCOUNT_ID: "444455556666" }, { activity: { distinctActivity: async () => [] }, baseline: new DynamoBaselineStore(ddb.client, "baseline") });
    await expect(dedicated(snsEvent([message(ACCT, "2026-11-20T12:00:00.000Z")]))).rejects.toThrow(/is for account 111122223333 but this function serves 444455556666/);
    close();
  });

  it("names every bad environment variable", async () => {
    const h = createDiscernmentHandler({ ...env, LOG_LAYOUT: "organization", ORGANIZATION_ID: undefined, GLUE_TABLE: "Bad-Name" });
    await expect(h(snsEvent([]))).rejects.toThrow(/discernment: invalid environment: GLUE_TABLE: expected a lower-case Glue table name; ORGANIZATION_ID: is required when LOG_LAYOUT is organization/);
  });
});
