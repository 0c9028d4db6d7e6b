import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { DetachUserPolicyCommand, IAMClient, ListAttachedUserPoliciesCommand } from "@aws-sdk/client-iam";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoIdempotencyStore, objectIdempotencyKey } from "../../../functions/adapters/aws/idempotency-store";
import { awsError } from "../../adapters/aws/remediation-fixtures";
import { Logger } from "@aws-lambda-powertools/logger";
import { catalog } from "../../../functions/core/rules/catalog";
import { createTrailGuardHandler } from "../../../functions/handlers/trail-guard";
import { TrailControl } from "../../../functions/adapters/aws/trail-status";
import { apiCall, GUARD_ROLE, TRAIL_ARN } from "../trail-guard/events";
import {
  BUCKET,
  CONTEXT,
  LEDGER,
  TABLE,
  TOPIC,
  adminRule,
  captureStdout,
  cloudTrailSnsNotification,
  emfLines,
  metricSum,
  s3Notification,
  sqsEvent,
  startHarness,
  type Harness,
} from "./harness";
import { attachAdmin, gzipLog, logKey, record, selfIdentity, stopLogging } from "./records";

const iam = mockClient(IAMClient);
const cloudTrail = mockClient(CloudTrailClient);

let h: Harness;
let n = 0;
/** A fresh log key per test (the servers live for the whole file). */
const key = (name = "log") => logKey(`${name}-${++n}`);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  iam.restore();
  cloudTrail.restore();
  await h?.stop();
});
beforeEach(() => {
  iam.reset();
  cloudTrail.reset();
  h.history.answer(cloudTrail);
  iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }] });
  iam.on(DetachUserPolicyCommand).resolves({});
});

type Captured = { result: SQSBatchResponse; lines: Record<string, unknown>[] };

/** Alerts sent during `fn`. */
async function alertsDuring(fn: () => Promise<unknown>) {
  const before = h.sent().length;
  await fn();
  return h.sent().slice(before);
}

describe("log analyzer: alerts and remediation", () => {
  it("sends one alert for an admin-policy attach in a gzipped log, with the dry-run plan in alert.remediation", async () => {
    // Prepare
    const k = key();
    await h.putLog(k, [record(), attachAdmin("mallory"), record()]);
    const analyze = h.analyzer({ [adminRule.id]: "dry-run" });

    // Act
    let out: SQSBatchResponse | undefined;
    const alerts = await alertsDuring(async () => (out = (await captureStdout(() => analyze(sqsEvent([s3Notification([k])]), CONTEXT))).result));

    // Assess
    expect(out).toEqual({ batchItemFailures: [] });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: adminRule.id,
      eventName: "AttachUserPolicy",
      remediation: {
        action: "iam.detach-admin-policy",
        mode: "dry-run",
        status: "planned",
        detail:
          'would call iam:ListAttachedUserPolicies {"UserName":"mallory"}; then iam:DetachUserPolicy {"UserName":"mallory","PolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}',
        checks: { verifiedBy: "lookup-events" },
      },
    });
    expect(iam.calls()).toHaveLength(0);
  });

  it("detaches the policy in apply mode and says so in the alert", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("eve")]);

    const alerts = await alertsDuring(() => captureStdout(() => h.analyzer({ [adminRule.id]: "apply" })(sqsEvent([s3Notification([k])]), CONTEXT)));

    expect(alerts.map((a) => a.remediation)).toEqual([
      {
        action: "iam.detach-admin-policy",
        mode: "apply",
        status: "succeeded",
        detail: "detached arn:aws:iam::aws:policy/AdministratorAccess from user eve",
        checks: {
          verifiedBy: "lookup-events",
          found: "arn:aws:iam::aws:policy/AdministratorAccess is attached to user eve",
          done: "detached arn:aws:iam::aws:policy/AdministratorAccess from user eve",
        },
      },
    ]);
    expect(iam.commandCalls(DetachUserPolicyCommand)[0]!.args[0].input).toEqual({ UserName: "eve", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
  });

  it("leaves remediation off (null) when REMEDIATION does not name the rule", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("oscar")]);

    const alerts = await alertsDuring(() => captureStdout(() => h.analyzer()(sqsEvent([s3Notification([k])]), CONTEXT)));

    expect(alerts.map((a) => a.remediation)).toEqual([null]);
    expect(iam.calls()).toHaveLength(0);
  });

  it("with the whole catalog, also sends the change audit of the same call, at info and without remediation", async () => {
    // Prepare
    const k = key();
    await h.putLog(k, [attachAdmin("walter")]);
    // Act
    const alerts = await alertsDuring(() => captureStdout(() => h.analyzer({ [adminRule.id]: "dry-run" }, { catalog })(sqsEvent([s3Notification([k])]), CONTEXT)));
    // Assess
    expect(alerts.map((a) => [a.rule, a.severity, a.remediation?.status ?? null]).sort()).toEqual([
      [adminRule.id, "high", "planned"],
      ["iam.configuration-changed", "info", null],
    ]);
    expect(iam.calls()).toHaveLength(0);
  });

  it("never remediates a failed call", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("trudy", { errorCode: "AccessDenied", errorMessage: "User is not authorized" })]);

    await alertsDuring(() => captureStdout(() => h.analyzer({ [adminRule.id]: "apply" })(sqsEvent([s3Notification([k])]), CONTEXT)));

    expect(iam.calls()).toHaveLength(0);
  });

  it("never remediates an event made by its own role (it alerts, and says why nothing was done)", async () => {
    const k = key();
    await h.putLog(k, [stopLogging(undefined, { userIdentity: selfIdentity() })]);
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).resolves({});

    const alerts = await alertsDuring(() => captureStdout(() => h.analyzer({ "cloudtrail.logging-stopped": "apply" })(sqsEvent([s3Notification([k])]), CONTEXT)));

    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.remediation).toMatchObject({ status: "skipped", detail: expect.stringMatching(/own role/) });
    expect(cloudTrail.calls()).toHaveLength(0);
  });
});

describe("log analyzer: exactly once per object", () => {
  it("does not alert again when the same message is delivered again", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("mallory")]);
    const body = s3Notification([k]);

    const first = await alertsDuring(() => captureStdout(() => h.analyzer()(sqsEvent([body]), CONTEXT)));
    const again = await alertsDuring(() => captureStdout(() => h.analyzer()(sqsEvent([{ body, receiveCount: 2 }]), CONTEXT)));

    expect(first).toHaveLength(1);
    expect(again).toHaveLength(0);
  });

  it("alerts once when two notifications for one object arrive in one batch (S3 event and CloudTrail's SNS notification)", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("mallory")]);

    let res: SQSBatchResponse | undefined;
    const alerts = await alertsDuring(async () => {
      res = (await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([k]), cloudTrailSnsNotification([k])]), CONTEXT))).result;
    });

    expect(res).toEqual({ batchItemFailures: [] });
    expect(alerts).toHaveLength(1);
  });
});

describe("log analyzer and trail guard over one alert ledger", () => {
  it("mails a trail deletion once: the guard alerts in real time, the analyzer finds the same alert sent when the log file arrives", async () => {
    // Prepare: the guard's EventBridge event and the log file CloudTrail writes for the same call.
    const event = apiCall({ eventName: "DeleteTrail", requestParameters: { name: TRAIL_ARN } });
    const guard = createTrailGuardHandler(
      { ALERT_TOPIC_ARN: TOPIC, PROTECTED_TRAILS: JSON.stringify([TRAIL_ARN]), ALERT_LEDGER_TABLE: LEDGER, FUNCTION_ROLE_ARN: `arn:aws:iam::111122223333:role/${GUARD_ROLE}` },
      { logger: new Logger({ serviceName: "trail-guard", logLevel: "SILENT" }), dynamodb: h.db.client, control: new TrailControl(() => new CloudTrailClient({ region: "eu-west-1" })) },
    );
    const k = key("deleted-trail");
    await h.putLog(k, [event.detail]);
    // Act
    const byGuard = await alertsDuring(() => guard(event));
    const flagsBefore = h.emailFlags().length;
    const byAnalyzer = await alertsDuring(() => captureStdout(() => h.analyzer({}, { ledger: true })(sqsEvent([s3Notification([k])]), CONTEXT)));
    const analyzerFlags = h.emailFlags().slice(flagsBefore);
    // Without the ledger the same log file would alert again (same alert id as the guard's).
    const k2 = key("deleted-trail-no-ledger");
    await h.putLog(k2, [event.detail]);
    const unledgered = await alertsDuring(() => captureStdout(() => h.analyzer({})(sqsEvent([s3Notification([k2])]), CONTEXT)));
    // Assess
    expect(byGuard.map((a) => a.rule)).toEqual(["cloudtrail.trail-deleted"]);
    // The analyzer's copy still reaches the topic for Splunk, but with email=no: one mail in all.
    expect(byAnalyzer.map((a) => a.id)).toEqual(byGuard.map((a) => a.id));
    expect(analyzerFlags).toEqual(["no"]);
    expect(unledgered.map((a) => a.id)).toEqual(byGuard.map((a) => a.id));
  });

  it("lets the analyzer send what the guard never saw (a lost EventBridge delivery): the ledger only removes repeats", async () => {
    const event = apiCall({ eventName: "DeleteTrail", requestParameters: { name: TRAIL_ARN } });
    const k = key("guard-missed");
    await h.putLog(k, [event.detail]);

    const byAnalyzer = await alertsDuring(() => captureStdout(() => h.analyzer({}, { ledger: true })(sqsEvent([s3Notification([k])]), CONTEXT)));

    expect(byAnalyzer.map((a) => a.rule)).toEqual(["cloudtrail.trail-deleted"]);
  });
});

describe("log analyzer: what it reads", () => {
  it("reads objects whose keys have spaces, + and = (URL-encoded in the notification)", async () => {
    const k = key("q3 report+final=v2");
    await h.putLog(k, [attachAdmin("mallory")]);

    const { lines, result } = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([k])]), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(metricSum(lines, "FilesProcessed")).toBe(1);
    expect(lines.find((l) => l.message === "object analyzed")).toMatchObject({ object: `s3://${BUCKET}/${k}`, records: 1 });
  });

  it("reads every key of a CloudTrail SNS notification (here 3)", async () => {
    const keys = [key(), key(), key()];
    for (const [i, k] of keys.entries()) await h.putLog(k, [record(), record(), attachAdmin(`user${i}`)]);

    let out: Captured | undefined;
    const alerts = await alertsDuring(async () => {
      out = await captureStdout(() => h.analyzer()(sqsEvent([cloudTrailSnsNotification(keys)]), CONTEXT));
    });

    expect(out!.result).toEqual({ batchItemFailures: [] });
    expect(alerts.map((a) => a.summary).join("|")).toMatch(/user0.*user1.*user2/);
    expect(metricSum(out!.lines, "FilesProcessed")).toBe(3);
    expect(metricSum(out!.lines, "RecordsProcessed")).toBe(9);
  });

  it("skips digest files with a logged reason", async () => {
    const digest = `AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/23/111122223333_CloudTrail-Digest_us-east-1_org_us-east-1_20261123T100500Z.json.gz`;

    const { lines, result } = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([digest])]), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(lines.find((l) => l.message === "object skipped")).toMatchObject({ reason: expect.stringMatching(/digest/) });
    expect(metricSum(lines, "FilesSkipped")).toBe(1);
    expect(h.proxy.requests.some((r) => r.includes("CloudTrail-Digest"))).toBe(false);
  });

  it("analyzes the good records of a truncated gzip object and counts the damage in BadRecords", async () => {
    const k = key("truncated");
    const full = gzipLog([attachAdmin("early"), ...Array.from({ length: 300 }, (_, i) => record({ requestParameters: { i, pad: "z".repeat(300) } }))]);
    await h.putRaw(k, full.subarray(0, Math.floor(full.length * 0.5)));

    let out: Captured | undefined;
    const alerts = await alertsDuring(async () => {
      out = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([k])]), CONTEXT));
    });

    expect(out!.result).toEqual({ batchItemFailures: [] });
    expect(alerts.map((a) => a.summary)).toEqual([expect.stringMatching(/early/)]);
    expect(metricSum(out!.lines, "BadRecords")).toBeGreaterThanOrEqual(1);
    expect(metricSum(out!.lines, "RecordsProcessed")).toBeGreaterThan(1);
    expect(out!.lines.find((l) => l.message === "object partly unreadable; its good records were analyzed")).toMatchObject({ problem: expect.stringMatching(/^gzip data is truncated \(cut off after \d+ inflated bytes\); invalid JSON: the file ends inside a record/) });
  });

  it("skips an object deleted since its notification (NoSuchKey) without failing the message", async () => {
    const { lines, result } = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([key("gone")])]), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(lines.find((l) => l.message === "object skipped")).toMatchObject({ reason: expect.stringMatching(/NoSuchKey/) });
  });
});

describe("log analyzer: failures", () => {
  it("fails only the message that is not a notification, logging its id and why, so it reaches the DLQ", async () => {
    const k = key();
    await h.putLog(k, [record()]);
    const event = sqsEvent([{ body: "{\"hello\":\"world\"}", messageId: "bad-1" }, s3Notification([k])]);

    const { lines, result } = await captureStdout(() => h.analyzer()(event, CONTEXT));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "bad-1" }] });
    expect(lines.find((l) => l.level === "ERROR")).toMatchObject({ messageId: "bad-1", reason: expect.stringMatching(/not an S3 event notification/) });
    expect(metricSum(lines, "FilesProcessed")).toBe(1);
    expect(metricSum(lines, "BadMessages")).toBe(1);
  });

  it("fails the message when S3 throttles, then processes it on redelivery", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("mallory")]);
    const body = s3Notification([k]);
    h.proxy.failNext(1, { status: 503, code: "SlowDown", method: "GET" });

    const first = await captureStdout(() => h.analyzer()(sqsEvent([{ body, messageId: "m-s3" }]), CONTEXT));
    const retried = await alertsDuring(() => captureStdout(() => h.analyzer()(sqsEvent([{ body, messageId: "m-s3", receiveCount: 2 }]), CONTEXT)));

    expect(first.result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-s3" }] });
    expect(first.lines.find((l) => l.level === "ERROR")).toMatchObject({ transient: true, errorName: "S3ReadError" });
    expect(retried).toHaveLength(1);
  });

  it("fails the message when SNS throttles the alert, releases the object, and alerts on redelivery", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("sns-throttled")]);
    const body = s3Notification([k]);
    h.snsFailNext(awsError("Throttling", 400, "Rate exceeded"));

    const first = await captureStdout(() => h.analyzer()(sqsEvent([{ body, messageId: "m-sns" }]), CONTEXT));
    const retried = await alertsDuring(async () => {
      const { result } = await captureStdout(() => h.analyzer()(sqsEvent([{ body, messageId: "m-sns", receiveCount: 2 }]), CONTEXT));
      expect(result).toEqual({ batchItemFailures: [] });
    });

    expect(first.result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-sns" }] });
    expect(first.lines.find((l) => l.level === "ERROR")).toMatchObject({ transient: true, errorName: "Throttling" });
    expect(h.sent().filter((a) => a.summary.includes("sns-throttled"))).toHaveLength(1);
    expect(retried.map((a) => a.summary)).toEqual([expect.stringContaining("sns-throttled")]);
  });

  it("after SNS fails half-way through an object's alerts, the retry sends only the alerts that had not gone out", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("half-one"), attachAdmin("half-two"), attachAdmin("half-three")]);
    const body = s3Notification([k]);
    h.snsFailNext(awsError("InternalError", 500, "We encountered an internal error"), 1);

    const first = await alertsDuring(async () => {
      const { result } = await captureStdout(() => h.analyzer()(sqsEvent([{ body, messageId: "m-half" }]), CONTEXT));
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-half" }] });
    });
    const retried = await alertsDuring(async () => {
      const { result } = await captureStdout(() => h.analyzer()(sqsEvent([{ body, messageId: "m-half", receiveCount: 2 }]), CONTEXT));
      expect(result).toEqual({ batchItemFailures: [] });
    });

    expect(first).toHaveLength(1);
    expect(retried).toHaveLength(2);
    expect(new Set([...first, ...retried].map((a) => a.id)).size).toBe(3);
  });

  it("retries later (batch item failure) while another invocation holds the object", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("busy")]);
    const head = await h.s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: k }));
    const other = await new DynamoIdempotencyStore(h.db.client, TABLE).claim(objectIdempotencyKey({ bucket: BUCKET, key: k, etag: head.ETag!.replace(/"/g, "") }), 300);

    const { result, lines } = await captureStdout(() => h.analyzer()(sqsEvent([{ body: s3Notification([k]), messageId: "m-busy" }]), CONTEXT));

    expect(other.status).toBe("claimed");
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-busy" }] });
    expect(lines.find((l) => l.level === "ERROR")).toMatchObject({ transient: true, errorName: "ObjectBusyError" });
    expect(h.sent().filter((a) => a.summary.includes("busy"))).toHaveLength(0);
  });

  it("fails the message on a permanent S3 error (AccessDenied) every time, so it ends in the DLQ", async () => {
    const k = key();
    await h.putLog(k, [record()]);
    h.proxy.failNext(1, { status: 403, code: "AccessDenied", method: "GET" });

    const { result, lines } = await captureStdout(() => h.analyzer()(sqsEvent([{ body: s3Notification([k]), messageId: "m-denied" }]), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-denied" }] });
    expect(lines.find((l) => l.level === "ERROR")).toMatchObject({ transient: false, message: expect.stringMatching(/permanent/) });
  });

  it("retries a throttled remediation with the message, and on a late delivery alerts with the failure instead", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("mallory")]);
    const body = s3Notification([k]);
    iam.on(DetachUserPolicyCommand).rejects(awsError("Throttling", 400, "Rate exceeded"));
    const analyze = h.analyzer({ [adminRule.id]: "apply" });

    const early = await alertsDuring(async () => {
      const { result } = await captureStdout(() => analyze(sqsEvent([{ body, messageId: "m-rem", receiveCount: 1 }]), CONTEXT));
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-rem" }] });
    });
    const late = await alertsDuring(() => captureStdout(() => analyze(sqsEvent([{ body, messageId: "m-rem", receiveCount: 3 }]), CONTEXT)));

    expect(early).toHaveLength(0);
    expect(late.map((a) => a.remediation?.status)).toEqual(["failed"]);
  });
});

describe("log analyzer: metrics (EMF on stdout, no PutMetricData)", () => {
  it("emits AnomaliesDetected as an aggregate (service only) and per rule, with the file and record counts", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("a"), attachAdmin("b"), stopLogging(), record()]);

    const { lines } = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([k])]), CONTEXT));
    const emf = emfLines(lines);

    expect(new Set(emf.map((l) => l._aws.CloudWatchMetrics[0]!.Namespace))).toEqual(new Set(["trailwatch"]));
    expect(emf.every((l) => l.service === "log-analyzer")).toBe(true);
    const names = emf.flatMap((l) => l._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name));
    expect(names).toEqual(expect.arrayContaining(["AnomaliesDetected", "RecordsProcessed", "FilesProcessed", "BadRecords", "FilesSkipped"]));
    const total = metricSum(lines, "AnomaliesDetected", ["service"]);
    const perAdmin = metricSum(lines, "AnomaliesDetected", ["service", "rule"], { rule: adminRule.id });
    const perStop = metricSum(lines, "AnomaliesDetected", ["service", "rule"], { rule: "cloudtrail.logging-stopped" });
    expect(perStop).toBe(1);
    expect(perAdmin).toBe(2);
    expect(total).toBe(metricSum(lines, "AnomaliesDetected", ["service", "rule"]));
    expect(metricSum(lines, "RecordsProcessed")).toBe(4);
    expect(metricSum(lines, "FilesProcessed")).toBe(1);
  });

  it("never logs whole records", async () => {
    const k = key();
    await h.putLog(k, [attachAdmin("secretive", { requestParameters: { userName: "secretive", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess", marker: "DO-NOT-LOG-ME" } })]);

    const { lines } = await captureStdout(() => h.analyzer()(sqsEvent([s3Notification([k])]), CONTEXT));

    expect(JSON.stringify(lines)).not.toContain("DO-NOT-LOG-ME");
    expect(JSON.stringify(lines)).not.toContain("203.0.113.10");
  });
});
