import { Logger } from "@aws-lambda-powertools/logger";
import { CloudTrailClient, GetTrailStatusCommand, ThrottlingException, TrailNotFoundException, type GetTrailStatusCommandOutput } from "@aws-sdk/client-cloudtrail";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { TrailControl } from "../../../functions/adapters/aws/trail-status";
import type { Alert } from "../../../functions/core/alert/alert";
import { createTrailHeartbeatHandler } from "../../../functions/handlers/trail-heartbeat";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";

const ACCOUNT = "111122223333";
const ORG_TRAIL = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org-trail`;
const US_TRAIL = `arn:aws:cloudtrail:us-east-2:${ACCOUNT}:trail/us-audit`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:trailwatch-alerts`;
const SCHEDULED = { "detail-type": "Scheduled Event", source: "aws.events", time: "2026-11-23T10:05:00Z", detail: {} };

const at = (iso: string) => new Date(iso);
const minutesBefore = (iso: string, m: number) => new Date(Date.parse(iso) - m * 60_000);

describe("trail-heartbeat handler", () => {
  const cloudtrail = mockClient(CloudTrailClient);
  const sns = mockClient(SNSClient);
  const sqs = mockClient(SQSClient);
  let regions: string[];
  let statusByTrail: Map<string, () => Promise<GetTrailStatusCommandOutput>>;

  beforeEach(() => {
    regions = [];
    statusByTrail = new Map();
    cloudtrail.on(GetTrailStatusCommand).callsFake(async (input: { Name: string }) => {
      const f = statusByTrail.get(input.Name);
      if (!f) throw new TrailNotFoundException({ message: `Unknown trail: ${input.Name}`, $metadata: { httpStatusCode: 400 } });
      return f();
    });
    sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
      Successful: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })),
      Failed: [],
    }));
  });
  afterEach(() => {
    cloudtrail.reset();
    sns.reset();
    sqs.reset();
  });

  const healthy = (now: string): GetTrailStatusCommandOutput => ({
    IsLogging: true,
    LatestDeliveryTime: minutesBefore(now, 4),
    StartLoggingTime: at("2026-01-01T00:00:00Z"),
    LatestDigestDeliveryTime: minutesBefore(now, 30),
    $metadata: {},
  });

  function handler(now: string, env: Record<string, string> = {}, extra: { dynamo?: LocalDynamo } = {}) {
    const control = new TrailControl(
      (region) => {
        regions.push(region);
        return new CloudTrailClient({ region, maxAttempts: 1 });
      },
      { sleep: async () => {} },
    );
    return createTrailHeartbeatHandler(
      { ALERT_TOPIC_ARN: TOPIC, PROTECTED_TRAILS: JSON.stringify([ORG_TRAIL]), MAX_DELIVERY_AGE_MINUTES: "60", ...env },
      { control, logger: new Logger({ serviceName: "trail-heartbeat", logLevel: "SILENT" }), now: () => at(now), dynamodb: extra.dynamo?.client },
    );
  }

  /** Alerts published so far, with their email attribute. */
  function published(): { alert: Alert; email: string }[] {
    return sns.commandCalls(PublishBatchCommand).flatMap((c) =>
      c.args[0].input.PublishBatchRequestEntries!.map((e) => ({
        alert: JSON.parse((JSON.parse(e.Message!) as { default: string }).default) as Alert,
        email: e.MessageAttributes!.email!.StringValue!,
      })),
    );
  }

  it("publishes nothing when every protected trail logs and delivers", async () => {
    const now = "2026-11-23T10:05:00Z";
    statusByTrail.set(ORG_TRAIL, async () => healthy(now));
    const report = await handler(now)(SCHEDULED);
    expect(report).toEqual({ checked: 1, healthy: [ORG_TRAIL], alerts: [] });
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
    expect(cloudtrail.commandCalls(GetTrailStatusCommand).map((c) => c.args[0].input)).toEqual([{ Name: ORG_TRAIL }]);
    expect(regions).toEqual(["eu-west-1"]);
  });

  it("alerts when a protected trail is not logging, saying since when", async () => {
    const now = "2026-11-23T10:05:00Z";
    statusByTrail.set(ORG_TRAIL, async () => ({ ...healthy(now), IsLogging: false, StopLoggingTime: minutesBefore(now, 95), LatestDeliveryTime: minutesBefore(now, 96) }));
    await handler(now)(SCHEDULED);
    const [only, ...rest] = published();
    expect(rest).toEqual([]);
    expect(only!.alert).toMatchObject({
      rule: "cloudtrail.not-logging",
      severity: "critical",
      account: ACCOUNT,
      region: "eu-west-1",
      summary: "Trail org-trail (eu-west-1, account 111122223333) is not logging; logging stopped at 2026-11-23T08:30:00.000Z (95 min ago)",
      context: expect.objectContaining({ trail: ORG_TRAIL, stopLoggingTime: "2026-11-23T08:30:00.000Z", window: "2026-11-23T10" }),
    });
  });

  it("alerts when log files stop arriving, but not right after logging was restarted", async () => {
    const now = "2026-11-23T10:05:00Z";
    statusByTrail.set(ORG_TRAIL, async () => ({ ...healthy(now), LatestDeliveryTime: minutesBefore(now, 61) }));
    await handler(now)(SCHEDULED);
    expect(published().map((p) => [p.alert.rule, p.alert.severity])).toEqual([["cloudtrail.delivery-stale", "high"]]);
    expect(published()[0]!.alert.summary).toBe(
      "Trail org-trail (eu-west-1, account 111122223333) is logging but has delivered no log file for more than 60 min; the last log file was delivered at 2026-11-23T09:04:00.000Z (61 min ago)",
    );

    sns.resetHistory();
    statusByTrail.set(ORG_TRAIL, async () => ({ ...healthy(now), LatestDeliveryTime: minutesBefore(now, 300), StartLoggingTime: minutesBefore(now, 10) }));
    const report = await handler(now)(SCHEDULED);
    expect(report.alerts).toEqual([]);
  });

  it("rates an S3 delivery error by whether deliveries still succeed", async () => {
    const now = "2026-11-23T10:05:00Z";
    statusByTrail.set(ORG_TRAIL, async () => ({ ...healthy(now), LatestDeliveryError: "AccessDenied", LatestDeliveryTime: minutesBefore(now, 180) }));
    await handler(now)(SCHEDULED);
    expect(published().map((p) => [p.alert.rule, p.alert.severity, p.alert.context.channel])).toEqual([["cloudtrail.delivery-error", "high", "s3"]]);

    sns.resetHistory();
    statusByTrail.set(ORG_TRAIL, async () => ({ ...healthy(now), LatestDeliveryError: "NoSuchBucket" }));
    await handler(now)(SCHEDULED);
    const [fresh] = published();
    expect(fresh!.alert.severity).toBe("low");
    expect(fresh!.alert.summary).toMatch(/NoSuchBucket; the last log file was delivered at .* \(4 min ago\), so the error may be from an earlier attempt$/);
  });

  it("reports errors of other delivery channels separately, with their own ids", async () => {
    const now = "2026-11-23T10:05:00Z";
    statusByTrail.set(ORG_TRAIL, async () => ({
      ...healthy(now),
      LatestDeliveryError: "AccessDenied",
      LatestDeliveryTime: minutesBefore(now, 120),
      LatestDigestDeliveryError: "AccessDenied",
      LatestDigestDeliveryTime: minutesBefore(now, 200),
      LatestCloudWatchLogsDeliveryError: "ResourceNotFoundException",
    }));
    await handler(now)(SCHEDULED);
    const alerts = published().map((p) => p.alert);
    expect(alerts.map((a) => [a.rule, a.context.channel, a.severity])).toEqual([
      ["cloudtrail.delivery-error", "s3", "high"],
      ["cloudtrail.delivery-error", "digest", "medium"],
      ["cloudtrail.delivery-error", "cloudwatch-logs", "medium"],
    ]);
    expect(new Set(alerts.map((a) => a.id)).size).toBe(3);
  });

  it("treats a trail that cannot be queried as an alert, and checks the other trails anyway", async () => {
    const now = "2026-11-23T10:05:00Z";
    statusByTrail.set(US_TRAIL, async () => {
      throw Object.assign(new Error("User is not authorized to perform: cloudtrail:GetTrailStatus"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
    });
    const report = await handler(now, { PROTECTED_TRAILS: JSON.stringify([ORG_TRAIL, US_TRAIL]) })(SCHEDULED);
    expect(regions.sort()).toEqual(["eu-west-1", "us-east-2"]);
    expect(report.alerts.map((a) => [a.trail, a.rule, a.severity])).toEqual([
      [ORG_TRAIL, "cloudtrail.trail-missing", "critical"],
      [US_TRAIL, "cloudtrail.status-unavailable", "high"],
    ]);
    const texts = published().map((p) => p.alert.summary);
    expect(texts).toEqual([
      "Trail org-trail (eu-west-1, account 111122223333) was not found (TrailNotFoundException): it may have been deleted, and its scope is not logged",
      "The status of trail us-audit (us-east-2, account 111122223333) could not be read (AccessDeniedException); whether it logs is unknown",
    ]);
    expect(cloudtrail.commandCalls(GetTrailStatusCommand)).toHaveLength(2);
  });

  it("retries a throttled GetTrailStatus", async () => {
    const now = "2026-11-23T10:05:00Z";
    let calls = 0;
    statusByTrail.set(ORG_TRAIL, async () => {
      if (++calls < 3) throw new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
      return healthy(now);
    });
    const report = await handler(now)(SCHEDULED);
    expect(calls).toBe(3);
    expect(report.healthy).toEqual([ORG_TRAIL]);
  });

  describe("without IDEMPOTENCY_TABLE (hourly ids)", () => {
    const stopped = (now: string) => async () => ({ ...healthy(now), IsLogging: false, StopLoggingTime: at("2026-11-23T07:00:00Z") });

    it("keeps the id for the hour, mails once an hour and publishes the other runs without email", async () => {
      const runs = ["2026-11-23T10:05:00Z", "2026-11-23T10:20:00Z", "2026-11-23T10:35:00Z", "2026-11-23T11:05:00Z"];
      for (const now of runs) {
        statusByTrail.set(ORG_TRAIL, stopped(now));
        await handler(now)(SCHEDULED);
      }
      const seen = published();
      expect(seen.map((p) => p.email)).toEqual(["yes", "no", "no", "yes"]);
      expect(seen[0]!.alert.id).toBe(seen[1]!.alert.id);
      expect(seen[1]!.alert.id).toBe(seen[2]!.alert.id);
      expect(seen[3]!.alert.id).not.toBe(seen[0]!.alert.id);
    });

    it("mails a condition at once when the status says it just began", async () => {
      const now = "2026-11-23T10:35:00Z";
      statusByTrail.set(ORG_TRAIL, async () => ({ ...healthy(now), IsLogging: false, StopLoggingTime: minutesBefore(now, 6) }));
      await handler(now)(SCHEDULED);
      expect(published().map((p) => p.email)).toEqual(["yes"]);
    });
  });

  describe("with IDEMPOTENCY_TABLE (daily ids, claimed in DynamoDB)", () => {
    let dynamo: LocalDynamo;
    beforeAll(async () => {
      dynamo = await startDynalite();
      await dynamo.createTable("trailwatch-idempotency");
    });
    afterAll(() => dynamo.stop());

    const env = { IDEMPOTENCY_TABLE: "trailwatch-idempotency" };
    const broken = (now: string) => async () => ({ ...healthy(now), LatestDeliveryTime: minutesBefore(now, 600) });

    it("publishes a persistent condition once a day", async () => {
      for (const now of ["2026-11-24T10:05:00Z", "2026-11-24T10:20:00Z", "2026-11-24T23:50:00Z", "2026-11-25T00:05:00Z"]) {
        statusByTrail.set(ORG_TRAIL, broken(now));
        await handler(now, env, { dynamo })(SCHEDULED);
      }
      const seen = published();
      expect(seen.map((p) => [p.alert.context.window, p.email])).toEqual([
        ["2026-11-24", "yes"],
        ["2026-11-25", "yes"],
      ]);
      const item = await dynamo.client.send(new GetItemCommand({ TableName: "trailwatch-idempotency", Key: { pk: { S: `trail-heartbeat#${seen[0]!.alert.id}` } } }));
      expect(item.Item).toMatchObject({ rule: { S: "cloudtrail.delivery-stale" }, firstSeen: { S: "2026-11-24T10:05:00.000Z" } });
      expect(Number(item.Item!.expiresAt!.N)).toBe(Date.parse("2026-11-24T10:05:00Z") / 1000 + 2 * 86_400);
    });

    it("gives the claim back when publishing fails, so the next run publishes it", async () => {
      const now = "2026-11-26T08:00:00Z";
      statusByTrail.set(ORG_TRAIL, broken(now));
      let publishes = 0;
      sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => {
        if (++publishes === 1) throw Object.assign(new Error("KMS key disabled"), { name: "KMSDisabledException" });
        return { Successful: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: "m" })), Failed: [] };
      });
      await expect(handler(now, env, { dynamo })(SCHEDULED)).rejects.toThrow("KMS key disabled");
      await handler("2026-11-26T08:15:00Z", env, { dynamo })(SCHEDULED);
      // The failed attempt is recorded by the mock too; what matters is that the second run published.
      expect(published().map((p) => p.alert.context.window)).toEqual(["2026-11-26", "2026-11-26"]);
      expect(publishes).toBe(2);
    });
  });

  it("refuses to run without protected trails, or with a bad delivery age, and checks no trail", async () => {
    await expect(handler("2026-11-23T10:05:00Z", { PROTECTED_TRAILS: "[]" })(SCHEDULED)).rejects.toThrow(
      "trail-heartbeat: invalid environment: PROTECTED_TRAILS: is empty; the heartbeat needs at least one trail ARN to check",
    );
    await expect(handler("2026-11-23T10:05:00Z", { MAX_DELIVERY_AGE_MINUTES: "soon" })(SCHEDULED)).rejects.toThrow(
      'trail-heartbeat: invalid environment: MAX_DELIVERY_AGE_MINUTES: must be an integer from 5 to 1440, e.g. 60 (the default when unset); got "soon"',
    );
    expect(cloudtrail.commandCalls(GetTrailStatusCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
  });

  it("fails every run with all the problems of a wrong environment, not only the first", async () => {
    const run = handler("2026-11-23T10:05:00Z", { ALERT_TOPIC_ARN: "", PROTECTED_TRAILS: '["org-trail"]', HEARTBEAT_PERIOD_MINUTES: "90" });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(run(SCHEDULED)).rejects.toThrow(
        /^trail-heartbeat: invalid environment: ALERT_TOPIC_ARN: is not set; .*; PROTECTED_TRAILS: entry \[0\] \("org-trail"\) is not a trail ARN .*; HEARTBEAT_PERIOD_MINUTES: must be an integer from 1 to 60, .*; got "90"$/,
      );
    }
  });

  describe("the trail guard's forwarding dead-letter queues of other regions", () => {
    const NOW = "2026-11-23T10:05:00Z";
    const DLQ = (region: string) => `https://sqs.${region}.amazonaws.com/${ACCOUNT}/trailwatch-trail-guard-forward-dlq`;

    it("alerts when one holds events (no CloudWatch alarm can reach the home topic from there), naming the queue and the count", async () => {
      // Prepare
      statusByTrail.set(ORG_TRAIL, async () => healthy(NOW));
      sqs.on(GetQueueAttributesCommand, { QueueUrl: DLQ("us-east-1") }).resolves({ Attributes: { ApproximateNumberOfMessages: "2", ApproximateNumberOfMessagesNotVisible: "1" } });
      sqs.on(GetQueueAttributesCommand, { QueueUrl: DLQ("eu-central-1") }).resolves({ Attributes: { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" } });
      // Act
      const report = await handler(NOW, { FORWARD_DLQ_URLS: `${DLQ("us-east-1")},${DLQ("eu-central-1")}` })(SCHEDULED);
      // Assess
      const alerts = published();
      expect(report.alerts.map((a) => [a.rule, a.severity])).toEqual([["cloudtrail.guard-events-undelivered", "high"]]);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.alert).toMatchObject({ region: "us-east-1", eventSource: "sqs.amazonaws.com", eventName: "GetQueueAttributes", context: { queue: DLQ("us-east-1"), messages: 3 } });
      expect(alerts[0]!.alert.summary).toMatch(/^3 event\(s\) of region us-east-1 .* trailwatch-trail-guard-forward-dlq/);
      expect(sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input.QueueUrl).sort()).toEqual([DLQ("eu-central-1"), DLQ("us-east-1")]);
    });

    it("says so when a queue cannot be read, and still checks the trails", async () => {
      // Prepare
      statusByTrail.set(ORG_TRAIL, async () => healthy(NOW));
      sqs.on(GetQueueAttributesCommand).rejects(new QueueDoesNotExist({ message: "The specified queue does not exist.", $metadata: { httpStatusCode: 400 } }));
      // Act
      const report = await handler(NOW, { FORWARD_DLQ_URLS: DLQ("us-east-1") })(SCHEDULED);
      // Assess
      expect(report.healthy).toEqual([ORG_TRAIL]);
      expect(report.alerts.map((a) => [a.rule, a.severity])).toEqual([["cloudtrail.guard-events-undelivered", "medium"]]);
      expect(published()[0]!.alert.summary).toMatch(/could not be read \(QueueDoesNotExist\)/);
    });

    it("refuses a FORWARD_DLQ_URLS entry that is not a queue URL, naming it", async () => {
      await expect(handler(NOW, { FORWARD_DLQ_URLS: "trailwatch-trail-guard-forward-dlq" })(SCHEDULED)).rejects.toThrow(
        /FORWARD_DLQ_URLS: "trailwatch-trail-guard-forward-dlq" is not an SQS queue URL such as https:\/\/sqs\./,
      );
    });
  });
});

