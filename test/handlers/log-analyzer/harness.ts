import { Logger } from "@aws-lambda-powertools/logger";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import type { SQSEvent } from "aws-lambda";
import { LedgerAlertSink } from "../../../functions/adapters/aws/alert-ledger-sink";
import { DynamoIdempotencyStore } from "../../../functions/adapters/aws/idempotency-store";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudTrailEventHistory, createRemediators, DynamoRemediationLedger, RemediationRunner } from "../../../functions/adapters/aws/remediation";
import { DynamoThresholdStore } from "../../../functions/adapters/aws/threshold-store";
import { SnsAlertSink } from "../../../functions/adapters/aws/sns-alert-sink";
import type { Alert } from "../../../functions/core/alert/alert";
import type { UndeliverableAlerts } from "../../../functions/core/ports";
import type { RemediationMode } from "../../../functions/core/remediation/permissions";
import { catalog } from "../../../functions/core/rules/catalog";
import { changeAuditSettings } from "../../../functions/core/rules/change-audit";
import { defineRule, type AnyRule } from "../../../functions/core/rules/rule";
import { isThresholdRule, type CatalogRule } from "../../../functions/core/rules/threshold-rule";
import type { TunedRules } from "../../../functions/core/rules/tuning/apply";
import { createLogAnalyzer } from "../../../functions/handlers/log-analyzer";
import { createMetrics } from "../../../functions/handlers/shared";
import { EventHistoryFixture, TEST_NOW, testClients } from "../../adapters/aws/remediation-fixtures";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";
import { s3rverClientConfig, startFaultInjector, startS3rver, type FaultInjector, type LocalS3 } from "../../support/s3rver";
import { ACCOUNT, SELF_ROLE_ARN, gzipLog } from "./records";

export const BUCKET = "org-trail-logs";
export const TABLE = "trailwatch-idempotency";
/** The alert ledger table (modules/alerting), shared with the trail guard. */
export const LEDGER = "trailwatch-alert-ledger";
/** The remediation ledger table (modules/log-analyzer), written by the remediator only. */
export const REMEDIATION_LEDGER = "trailwatch-remediation-ledger";
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:trailwatch-alerts`;

/**
 * The catalog rule that detects an attached AdministratorAccess; a minimal stand-in only when the
 * catalog has none yet, so these handler tests do not depend on the catalog's contents.
 */
export const adminRule: AnyRule =
  catalog.find((r): r is AnyRule => !isThresholdRule(r) && r.remediation === "iam.detach-admin-policy") ??
  defineRule({
    id: "iam.admin-policy-attached",
    title: "Administrator access granted",
    severity: "high",
    description: "AdministratorAccess attached",
    eventSources: ["iam.amazonaws.com"],
    eventNames: ["AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy"],
    match: (r) => /:iam::aws:policy\/AdministratorAccess$/.test(String(r.requestParameters?.policyArn)),
    summary: () => "AdministratorAccess attached",
    remediation: "iam.detach-admin-policy",
    references: {},
  });
/**
 * The catalog these tests run: without the change-audit rules, which record the same calls at info
 * (an admin attach is also an `iam.configuration-changed`), so a test about delivery, idempotency or
 * remediation follows the one alert it is about. `log-analyzer.test.ts` runs the whole catalog once.
 */
export const testCatalog: readonly CatalogRule[] = [...catalog.filter((r) => r.settings !== changeAuditSettings), ...(catalog.includes(adminRule) ? [] : [adminRule])];

const snsMock = () => mockClient(SNSClient);
type SnsMock = ReturnType<typeof snsMock>;

/** Everything a log-analyzer test needs: local S3 (behind a fault injector), local DynamoDB, mocked SNS. */
export interface Harness {
  s3: LocalS3;
  proxy: FaultInjector;
  db: LocalDynamo;
  sns: SnsMock;
  /**
   * CloudTrail's event history: `putLog` adds the file's records to it (AWS recorded them), a
   * forged file's records are not. Tests install its LookupEvents answer on their CloudTrail mock.
   */
  history: EventHistoryFixture;
  /** Writes a log file whose records AWS recorded (they are added to `history`). */
  putLog(key: string, records: Record<string, unknown>[]): Promise<void>;
  /** Writes a log file nobody but its writer vouches for: its records are not in `history`. */
  putForged(key: string, records: Record<string, unknown>[]): Promise<void>;
  putRaw(key: string, body: Buffer): Promise<void>;
  /**
   * An analyzer with the given remediation modes; each call makes a fresh one (a cold start). With
   * `ledger`, alerts go out through the alert ledger table (as deployed).
   */
  analyzer(modes?: Record<string, RemediationMode>, opts?: { ledger?: boolean; undeliverable?: UndeliverableAlerts; now?: Date; protectedTargets?: string[]; thresholds?: boolean; catalog?: readonly CatalogRule[]; tune?: () => TunedRules }): ReturnType<typeof createLogAnalyzer>;
  /** After `after` more accepted PublishBatch calls, the next one fails with `error` (then SNS accepts again). */
  snsFailNext(error: Error, after?: number): void;
  /** Alerts published to SNS so far (from the `sqs` protocol message). */
  sent(): Alert[];
  /** The `email` message attribute of each of those publishes ("yes": mail subscriptions get it). */
  emailFlags(): string[];
  stop(): Promise<void>;
}

const undeliverable = (o: { undeliverable?: UndeliverableAlerts }) => (o.undeliverable ? { undeliverable: o.undeliverable } : {});

export async function startHarness(): Promise<Harness> {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  // The analyzer reads through a proxy that can inject failures.
  const proxy = await startFaultInjector(s3.endpoint);
  const db = await startDynalite();
  await db.createTable(TABLE);
  await db.createTable(LEDGER);
  await db.createTable(REMEDIATION_LEDGER);
  const history = new EventHistoryFixture();
  const s3Client = new S3Client(s3rverClientConfig(proxy.endpoint));
  const snsClient = new SNSClient({ region: "us-east-1", credentials: { accessKeyId: "T", secretAccessKey: "T" } });
  const sns = snsMock();
  const sent: Alert[] = [];
  const emailFlags: string[] = [];
  const accept = (input: PublishBatchCommandInput) => {
    for (const e of input.PublishBatchRequestEntries ?? []) {
      sent.push(JSON.parse(JSON.parse(e.Message!).default) as Alert);
      emailFlags.push(e.MessageAttributes?.email?.StringValue ?? "");
    }
    return { Successful: (input.PublishBatchRequestEntries ?? []).map((e) => ({ Id: e.Id, MessageId: `msg-${e.Id}` })), Failed: [] };
  };
  sns.on(PublishBatchCommand).callsFake(accept);
  return {
    s3,
    proxy,
    db,
    sns,
    history,
    putLog: (key, records) => {
      history.add(...records);
      return s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipLog(records) })).then(() => undefined);
    },
    putForged: (key, records) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipLog(records) })).then(() => undefined),
    putRaw: (key, body) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body })).then(() => undefined),
    analyzer: (modes = {}, opts = {}) =>
      createLogAnalyzer({
        s3: s3Client,
        idempotency: new DynamoIdempotencyStore(db.client, TABLE),
        sink: opts.ledger
          ? new LedgerAlertSink(new SnsAlertSink(snsClient, TOPIC, { maxAttempts: 1, ...undeliverable(opts) }), new DynamoIdempotencyStore(db.client, LEDGER), {
              repeatsTo: new SnsAlertSink(snsClient, TOPIC, { maxAttempts: 1, email: false, ...undeliverable(opts) }),
            })
          : new SnsAlertSink(snsClient, TOPIC, { maxAttempts: 1, ...undeliverable(opts) }),
        catalog: opts.catalog ?? testCatalog,
        ...(opts.tune ? { tune: opts.tune } : {}),
        // Threshold rules count in the idempotency table, as deployed (off only where a test asks).
        ...(opts.thresholds === false ? {} : { thresholds: new DynamoThresholdStore(db.client, TABLE) }),
        remediation: new RemediationRunner({
          modes,
          remediators: createRemediators(testClients()),
          self: async () => ({ accountId: ACCOUNT, roleArn: SELF_ROLE_ARN }),
          eventHistory: new CloudTrailEventHistory((region) => new CloudTrailClient({ region, credentials: { accessKeyId: "T", secretAccessKey: "T" } })),
          ledger: new DynamoRemediationLedger(db.client, REMEDIATION_LEDGER, { now: () => opts.now ?? TEST_NOW }),
          now: () => opts.now ?? TEST_NOW,
          ...(opts.protectedTargets ? { protectedTargets: opts.protectedTargets } : {}),
        }),
        logger: new Logger({ serviceName: "log-analyzer", logLevel: "INFO" }),
        metrics: createMetrics("log-analyzer"),
      }),
    snsFailNext(error, after = 0) {
      // Re-installed: the *Once behaviours count calls from the stub's creation.
      sns.reset();
      let stub = sns.on(PublishBatchCommand);
      for (let i = 0; i < after; i++) stub = stub.callsFakeOnce(accept);
      stub.rejectsOnce(error).callsFake(accept);
    },
    sent: () => [...sent],
    emailFlags: () => [...emailFlags],
    async stop() {
      sns.restore();
      s3Client.destroy();
      snsClient.destroy();
      await proxy.stop();
      await db.stop();
      await s3.stop();
    },
  };
}

let messageSeq = 0;

/** An SQS event as Lambda's event source mapping delivers it. */
export function sqsEvent(messages: (string | { body: string; messageId?: string; receiveCount?: number })[]): SQSEvent {
  return {
    Records: messages.map((m) => {
      const msg = typeof m === "string" ? { body: m } : m;
      const messageId = msg.messageId ?? `00000000-0000-4000-9000-${String(++messageSeq).padStart(12, "0")}`;
      return {
        messageId,
        receiptHandle: `rh-${messageId}`,
        body: msg.body,
        attributes: {
          ApproximateReceiveCount: String(msg.receiveCount ?? 1),
          SentTimestamp: "1795000000000",
          SenderId: "AIDAEXAMPLE",
          ApproximateFirstReceiveTimestamp: "1795000000000",
        },
        messageAttributes: {},
        md5OfBody: "0",
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:us-east-1:${ACCOUNT}:trailwatch-log-analyzer`,
        awsRegion: "us-east-1",
      };
    }),
  };
}

/** An S3 event notification body for objects of BUCKET (keys given decoded; encoded here as S3 does). */
export function s3Notification(keys: string[], opts: { eTag?: string } = {}): string {
  return JSON.stringify({
    Records: keys.map((key) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "2026-11-23T10:05:00.000Z",
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: { key: encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+"), size: 100, ...(opts.eTag ? { eTag: opts.eTag } : {}) },
      },
    })),
  });
}

/** CloudTrail's own delivery notification, in its SNS envelope (as SQS receives it without raw delivery). */
export function cloudTrailSnsNotification(keys: string[]): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: "9c1b2b3a-0000-4000-8000-00000000000a",
    TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:cloudtrail-delivery`,
    Message: JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: keys }),
    Timestamp: "2026-11-23T10:05:01.000Z",
  });
}

export const CONTEXT = { getRemainingTimeInMillis: () => 60_000 };

/**
 * Captures what is written to stdout and stderr (Powertools logs, warnings and errors going to
 * stderr, and EMF lines) while `fn` runs, without printing it.
 */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const grab = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  const out = jest.spyOn(process.stdout, "write").mockImplementation(grab);
  const err = jest.spyOn(process.stderr, "write").mockImplementation(grab);
  try {
    const result = await fn();
    const lines = chunks
      .join("")
      .split("\n")
      .filter((l) => l.trim().startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { result, lines };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** EMF lines among captured stdout lines. */
export interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [k: string]: unknown;
}
export function emfLines(lines: Record<string, unknown>[]): EmfLine[] {
  return lines.filter((l) => "_aws" in l) as EmfLine[];
}

/** Sum of a metric over EMF lines whose dimension set is exactly `dims` (and whose values match `where`). */
export function metricSum(lines: Record<string, unknown>[], name: string, dims: string[] = ["service"], where: Record<string, string> = {}): number {
  let sum = 0;
  for (const l of emfLines(lines)) {
    const d = l._aws.CloudWatchMetrics[0]!;
    if (!d.Metrics.some((m) => m.Name === name)) continue;
    if (JSON.stringify([...d.Dimensions[0]!].sort()) !== JSON.stringify([...dims].sort())) continue;
    if (Object.entries(where).some(([k, v]) => l[k] !== v)) continue;
    const v = l[name];
    sum += Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : Number(v);
  }
  return sum;
}
