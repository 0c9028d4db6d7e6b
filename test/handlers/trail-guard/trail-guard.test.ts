import { Logger } from "@aws-lambda-powertools/logger";
import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand, ThrottlingException, TrailNotFoundException } from "@aws-sdk/client-cloudtrail";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { TrailControl } from "../../../functions/adapters/aws/trail-status";
import type { Alert } from "../../../functions/core/alert/alert";
import { createTrailGuardHandler } from "../../../functions/handlers/trail-guard";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";
import { ACCOUNT, apiCall, GUARD_ROLE, guardRole, TRAIL_ARN, TRAIL_REGION } from "./events";

const TOPIC = `arn:aws:sns:${TRAIL_REGION}:${ACCOUNT}:trailwatch-alerts`;

describe("trail-guard handler", () => {
  const cloudtrail = mockClient(CloudTrailClient);
  const sns = mockClient(SNSClient);
  let clientRegions: string[];

  beforeEach(() => {
    clientRegions = [];
    sns.on(PublishBatchCommand).callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
      Successful: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: `msg-${e.Id}` })),
      Failed: [],
    }));
    cloudtrail.on(StartLoggingCommand).resolves({});
    // The re-check before acting finds the trail stopped; the check after, logging.
    cloudtrail.on(GetTrailStatusCommand).resolvesOnce({ IsLogging: false }).resolves({ IsLogging: true });
  });
  afterEach(() => {
    cloudtrail.reset();
    sns.reset();
  });

  function handler(env: Record<string, string> = {}, clients: { dynamodb?: LocalDynamo["client"] } = {}) {
    const control = new TrailControl(
      (region) => {
        clientRegions.push(region);
        return new CloudTrailClient({ region, maxAttempts: 1 });
      },
      { maxAttempts: 4, sleep: async () => {} },
    );
    return createTrailGuardHandler(
      {
        ALERT_TOPIC_ARN: TOPIC,
        PROTECTED_TRAILS: JSON.stringify([TRAIL_ARN]),
        REMEDIATION: JSON.stringify({ "cloudtrail.logging-stopped": "apply" }),
        FUNCTION_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/${GUARD_ROLE}`,
        ...env,
      },
      // The events of events.ts are from 2026-11-23T10:05Z: five minutes before this clock.
      { control, logger: new Logger({ serviceName: "trail-guard", logLevel: "SILENT" }), now: () => new Date("2026-11-23T10:10:00Z"), ...clients },
    );
  }

  /** The alerts of the one PublishBatch call, as a queue subscriber (Splunk) receives them. */
  function published(): { alert: Alert; email: string; attributes: Record<string, { StringValue?: string }> }[] {
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls).toHaveLength(1);
    return calls[0]!.args[0].input.PublishBatchRequestEntries!.map((e) => {
      const m = JSON.parse(e.Message!) as { default: string; email: string };
      return { alert: JSON.parse(m.default) as Alert, email: m.email, attributes: e.MessageAttributes as Record<string, { StringValue?: string }> };
    });
  }

  it("restarts a protected trail stopped by name in its home region and publishes one alert with the outcome", async () => {
    const out = await handler()(apiCall({ eventName: "StopLogging", requestParameters: { name: "org-trail" } }));

    expect(out.outcome).toBe("alerted");
    const starts = cloudtrail.commandCalls(StartLoggingCommand);
    expect(starts.map((c) => c.args[0].input)).toEqual([{ Name: TRAIL_ARN }]);
    expect(clientRegions).toEqual([TRAIL_REGION]);
    expect(cloudtrail.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      ["GetTrailStatusCommand", { Name: TRAIL_ARN }],
      ["StartLoggingCommand", { Name: TRAIL_ARN }],
      ["GetTrailStatusCommand", { Name: TRAIL_ARN }],
    ]);
    const [only, ...rest] = published();
    expect(rest).toEqual([]);
    expect(only!.alert).toMatchObject({
      rule: "cloudtrail.logging-stopped",
      severity: "critical",
      account: ACCOUNT,
      region: TRAIL_REGION,
      principal: `arn:aws:iam::${ACCOUNT}:user/mallory`,
      context: expect.objectContaining({ protectedTrail: TRAIL_ARN }),
      remediation: {
        action: "cloudtrail.start-logging",
        mode: "apply",
        status: "succeeded",
        detail: `called StartLogging on ${TRAIL_ARN} in ${TRAIL_REGION}; GetTrailStatus confirms the trail is logging`,
        checks: { verifiedBy: "eventbridge", found: `trail ${TRAIL_ARN} is not logging`, done: `called StartLogging on ${TRAIL_ARN} in ${TRAIL_REGION}` },
      },
    });
    expect(only!.email).toContain(`cloudtrail.start-logging (apply): succeeded. called StartLogging on ${TRAIL_ARN}`);
    expect(only!.attributes.email!.StringValue).toBe("yes");
  });

  it("matches a trail named by ARN, and in dry-run only says what it would do", async () => {
    await handler({ REMEDIATION: JSON.stringify({ "cloudtrail.logging-stopped": "dry-run" }) })(
      apiCall({ eventName: "StopLogging", requestParameters: { name: TRAIL_ARN }, region: "us-east-1" }),
    );
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    expect(published()[0]!.alert.remediation).toEqual({
      action: "cloudtrail.start-logging",
      mode: "dry-run",
      status: "planned",
      detail: `dry-run: would call StartLogging on ${TRAIL_ARN} in ${TRAIL_REGION}`,
      checks: { verifiedBy: "eventbridge" },
    });
  });

  it("does not touch a trail that is not protected, even one with a protected trail's name in another region", async () => {
    await handler()(apiCall({ eventName: "StopLogging", requestParameters: { name: "org-trail" }, region: "us-east-1" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    expect(published()[0]!.alert.remediation).toMatchObject({ status: "skipped", detail: "trail org-trail is not in PROTECTED_TRAILS; only protected trails are restarted" });
  });

  it("alerts without acting when remediation is off", async () => {
    await handler({ REMEDIATION: "" })(apiCall({ eventName: "StopLogging" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    const [a] = published();
    expect(a!.alert.rule).toBe("cloudtrail.logging-stopped");
    expect(a!.alert.remediation).toBeNull();
  });

  it("reports a denied StopLogging as an attempt with a lower severity and never restarts anything", async () => {
    await handler()(apiCall({ eventName: "StopLogging", errorCode: "AccessDenied", errorMessage: "User: mallory is not authorized to perform: cloudtrail:StopLogging" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    const alerts = published();
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!.alert;
    expect(a.summary).toMatch(/tried/);
    expect(["low", "medium", "high"]).toContain(a.severity);
    expect(a.context).toMatchObject({ errorCode: "AccessDenied" });
    expect(a.remediation === null || a.remediation.status === "skipped").toBe(true);
  });

  it("reports a StopLogging that failed for another reason as an attempt too", async () => {
    await handler()(apiCall({ eventName: "StopLogging", errorCode: "TrailNotFoundException", errorMessage: "Unknown trail" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    const [a] = published();
    expect(a!.alert.summary).toBe("mallory tried to stop logging on trail org-trail, but the call failed (TrailNotFoundException)");
    expect(a!.alert.severity).toBe("medium");
  });

  it("ignores its own StartLogging, so a restart never loops or mails twice", async () => {
    const out = await handler()(apiCall({ eventName: "StartLogging", identity: guardRole, requestParameters: { name: TRAIL_ARN } }));
    expect(out).toEqual({ outcome: "ignored", reason: "StartLogging by the trail guard's own role (its remediation)" });
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });

  it("records someone else's StartLogging as information only", async () => {
    await handler()(apiCall({ eventName: "StartLogging", requestParameters: { name: TRAIL_ARN } }));
    const [a] = published();
    expect(a!.alert).toMatchObject({ rule: "cloudtrail.trail-tampering", severity: "info", summary: "mallory started logging on trail org-trail" });
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });

  it("retries a throttled StartLogging and says so in the alert", async () => {
    cloudtrail
      .on(StartLoggingCommand)
      .rejectsOnce(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }))
      .resolves({});
    await handler()(apiCall({ eventName: "StopLogging" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(3);
    expect(published()[0]!.alert.remediation).toMatchObject({ status: "succeeded", detail: expect.stringContaining("(after 3 attempts)") });
  });

  it("reports a StartLogging that stays throttled as failed, inside the one alert", async () => {
    cloudtrail.on(StartLoggingCommand).rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }));
    await handler()(apiCall({ eventName: "StopLogging" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(4);
    expect(cloudtrail.commandCalls(GetTrailStatusCommand)).toHaveLength(1);
    const alerts = published();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.alert.remediation).toEqual({
      action: "cloudtrail.start-logging",
      mode: "apply",
      status: "failed",
      detail: `StartLogging on ${TRAIL_ARN} failed after 4 attempt(s): ThrottlingException: Rate exceeded; restart the trail by hand`,
      checks: { verifiedBy: "eventbridge", found: `trail ${TRAIL_ARN} is not logging` },
    });
  });

  it("does not retry an error that will not go away", async () => {
    cloudtrail.on(StartLoggingCommand).rejects(new TrailNotFoundException({ message: "Unknown trail", $metadata: { httpStatusCode: 400 } }));
    await handler()(apiCall({ eventName: "StopLogging" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(1);
    expect(published()[0]!.alert.remediation).toMatchObject({ status: "failed", detail: expect.stringContaining("after 1 attempt(s): TrailNotFoundException") });
  });

  it("reports a restart that GetTrailStatus does not confirm as failed", async () => {
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    await handler()(apiCall({ eventName: "StopLogging" }));
    expect(published()[0]!.alert.remediation).toMatchObject({ status: "failed", detail: expect.stringContaining("still reports IsLogging = false") });
  });

  it("leaves a trail alone that the re-check finds logging again, and says what it found", async () => {
    cloudtrail.reset();
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    await handler()(apiCall({ eventName: "StopLogging" }));
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    expect(published()[0]!.alert.remediation).toEqual({
      action: "cloudtrail.start-logging",
      mode: "apply",
      status: "skipped",
      detail: `trail ${TRAIL_ARN} is logging again; nothing to do`,
      checks: { verifiedBy: "eventbridge", found: `trail ${TRAIL_ARN} is logging` },
    });
  });

  it.each([
    ["another source than the event's service", { source: "aws.s3" }, /the envelope's source "aws\.s3" is not the AWS source of "cloudtrail\.amazonaws\.com"/],
    ["another account than the record's", { account: "999988887777" }, /the envelope's account "999988887777" is not the event's account "111122223333"/],
    ["another region than the record's", { region: "us-east-1" }, /the envelope's region "us-east-1" is not the event's region "eu-west-1"/],
    ["a replay from an EventBridge archive", { "replay-name": "replay-1" }, /a replay from an EventBridge archive \("replay-1"\)/],
  ])("alerts but never acts on an event whose envelope does not vouch for it: %s", async (_what, envelope, why) => {
    await handler()({ ...apiCall({ eventName: "StopLogging" }), ...envelope });
    expect(cloudtrail.calls()).toHaveLength(0);
    const [a] = published();
    expect(a!.alert.rule).toBe("cloudtrail.logging-stopped");
    expect(a!.alert.remediation).toMatchObject({ status: "skipped", detail: expect.stringMatching(/^not remediated: unverified: /), checks: { refused: "unverified" } });
    expect(a!.alert.remediation!.detail).toMatch(why);
    expect(a!.alert.remediation!.checks!.verifiedBy).toBeUndefined();
  });

  it("refuses to act on an event older than MAX_EVENT_AGE_MINUTES (a late EventBridge retry)", async () => {
    const event = { ...apiCall({ eventName: "StopLogging" }) };
    (event.detail as Record<string, unknown>).eventTime = "2026-11-23T08:10:00Z";
    await handler()(event);
    await handler({ MAX_EVENT_AGE_MINUTES: "180" })(event);
    const [stale, allowed] = sns.commandCalls(PublishBatchCommand).map((c) => (JSON.parse(JSON.parse(c.args[0].input.PublishBatchRequestEntries![0]!.Message!).default) as Alert).remediation);
    expect(stale).toMatchObject({ status: "skipped", checks: { verifiedBy: "eventbridge", refused: "stale" }, detail: "not remediated: stale: the event is 2 h old (at 2026-11-23T08:10:00Z); events older than 60 min are never remediated" });
    expect(allowed).toMatchObject({ status: "succeeded" });
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(1);
  });

  it("alerts on tampering with the trail bucket named in TRAIL_BUCKET_NAME", async () => {
    const h = handler({ TRAIL_BUCKET_NAME: "acme-cloudtrail-logs" });
    await h(apiCall({ eventName: "PutBucketLifecycle", eventSource: "s3.amazonaws.com", requestParameters: { bucketName: "acme-cloudtrail-logs", LifecycleConfiguration: { Rule: { Expiration: { Days: 1 } } } } }));
    const alerts = published();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.alert).toMatchObject({ summary: expect.stringContaining("trail bucket acme-cloudtrail-logs") });
  });

  it("fails loudly on an event that is not a CloudTrail API call, naming what is wrong", async () => {
    await expect(handler()({ "detail-type": "Scheduled Event", source: "aws.events", detail: {} })).rejects.toThrow(
      'not an EventBridge CloudTrail API-call event: detail-type: detail-type must be "AWS API Call via CloudTrail"',
    );
    const broken = apiCall({ eventName: "StopLogging" });
    delete (broken.detail as Record<string, unknown>).eventName;
    await expect(handler()(broken)).rejects.toThrow(/detail is not a usable CloudTrail record: eventName: eventName is missing or not a string/);
  });

  it("throws when the alert cannot be published, so EventBridge retries and then dead-letters the event", async () => {
    sns.on(PublishBatchCommand).rejects(Object.assign(new Error("Topic does not exist"), { name: "NotFoundException" }));
    await expect(handler()(apiCall({ eventName: "DeleteTrail" }))).rejects.toThrow("Topic does not exist");
  });

  it("refuses a configuration with a bad protected trail, naming the entry", async () => {
    await expect(handler({ PROTECTED_TRAILS: '["org-trail"]' })(apiCall({ eventName: "StopLogging" }))).rejects.toThrow(
      'trail-guard: invalid environment: PROTECTED_TRAILS: entry [0] ("org-trail") is not a trail ARN',
    );
    await expect(handler({ REMEDIATION: '{"cloudtrail.logging-stopped":"yes"}' })(apiCall({ eventName: "StopLogging" }))).rejects.toThrow(
      /^trail-guard: invalid environment: REMEDIATION\.cloudtrail\.logging-stopped: /,
    );
    await expect(handler({ FUNCTION_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:user/jane`, TRAIL_BUCKET_NAME: "[1]" })(apiCall({ eventName: "StopLogging" }))).rejects.toThrow(
      /^trail-guard: invalid environment: TRAIL_BUCKET_NAME: expected names separated by commas.*; FUNCTION_ROLE_ARN: must be an IAM role ARN$/,
    );
  });

  describe("with the alert ledger shared with the log analyzer", () => {
    const LEDGER = "trailwatch-alert-ledger";
    let db: LocalDynamo;
    beforeAll(async () => {
      db = await startDynalite();
      await db.createTable(LEDGER);
    });
    afterAll(async () => db?.stop());

    it("mails an alert once when the same event arrives twice (EventBridge delivers at least once; the analyzer sees it again later)", async () => {
      // Prepare: two containers of the guard over one ledger.
      const event = apiCall({ eventName: "DeleteTrail" });
      const first = handler({ ALERT_LEDGER_TABLE: LEDGER }, { dynamodb: db.client });
      const second = handler({ ALERT_LEDGER_TABLE: LEDGER }, { dynamodb: db.client });
      // Act
      const a = await first(event);
      const b = await second(event);
      // Assess
      const publishes = sns.commandCalls(PublishBatchCommand).flatMap((c) => c.args[0].input.PublishBatchRequestEntries!);
      // Assess: one mail; the repeat still reaches the topic for Splunk, flagged email=no.
      expect(a).toMatchObject({ outcome: "alerted" });
      expect(b).toMatchObject({ outcome: "alerted" });
      expect(publishes.map((e) => [(JSON.parse(JSON.parse(e.Message!).default) as Alert).rule, e.MessageAttributes!.email!.StringValue])).toEqual([
        ["cloudtrail.trail-deleted", "yes"],
        ["cloudtrail.trail-deleted", "no"],
      ]);
    });

    it("refuses a ledger table name that is not one, naming the variable", async () => {
      await expect(handler({ ALERT_LEDGER_TABLE: "no spaces allowed" })(apiCall({ eventName: "DeleteTrail" }))).rejects.toThrow(
        /^trail-guard: invalid environment: ALERT_LEDGER_TABLE: must be a DynamoDB table name/,
      );
    });
  });
});
