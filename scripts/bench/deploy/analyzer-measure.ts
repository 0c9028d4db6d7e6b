/**
 * One measurement of the log analyzer's throughput, run by `deploy.ts` in a fresh child process so
 * its time and peak memory are its own. Prints one JSON line, the last line of stdout.
 *
 *   bound FILE              read FILE from disk + gunzip + JSON.parse, nothing else (the practical bound)
 *   scan FILE               read FILE from disk + the analyzer's decoding and rule scan (no S3, no DynamoDB, no SNS):
 *                           what analysing costs without the handler's I/O
 *   handler BUCKET KEY...   the real `functions/handlers/log-analyzer.ts` handler, one invocation per KEY,
 *                           each an SQS event carrying an S3 event notification of that object
 *
 * The handler builds its own clients from the environment the parent set: S3 and DynamoDB go to
 * s3rver and dynalite (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`), every other endpoint to a
 * closed loopback port; SNS, which has no local server, is `aws-sdk-client-mock` on SNSClient here.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { PublishBatchCommand, PublishCommand, SNSClient, type PublishBatchCommandInput } from "@aws-sdk/client-sns";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { decodeLogBytes } from "../../../functions/adapters/log-content";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { ThresholdTracker } from "../../../functions/core/rules/threshold-tracker";
import { MemoryThresholdStore } from "../../../functions/adapters/local/memory-threshold-store";
import { scanLogs } from "../../../functions/core/scan";
import { gunzipLogFile } from "../bench";

export interface Invocation {
  key: string;
  wallMs: number;
  cpuMs: number;
  /** Records the handler reported analyzing ("object analyzed" log line). */
  records: number;
  invalidRecords: number;
  /** Alerts published to (mocked) SNS. */
  alerts: number;
  batchItemFailures: number;
  /** Messages of ERROR/WARN log lines, for the report when something went wrong. */
  problems: string[];
}

export interface AnalyzerMeasurement {
  kind: "bound" | "scan" | "handler";
  wallMs: number;
  cpuMs: number;
  records: number;
  rawBytes: number;
  maxRssMb: number;
  /** handler: importing the handler module (TypeScript through tsx, not the bundle). */
  loadMs?: number;
  rssAfterLoadMb?: number;
  invocations?: Invocation[];
  /** scan: alerts the catalog raised. */
  alerts?: number;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

function bound(file: string): AnalyzerMeasurement {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const text = gunzipLogFile(file).toString("utf8");
  const records = (JSON.parse(text) as { Records: unknown[] }).Records.length;
  return { kind: "bound", wallMs: performance.now() - t0, cpuMs: cpuMs(process.cpuUsage(c0)), records, rawBytes: text.length, maxRssMb: maxRssMb() };
}

/** The analyzer's work on one object, as the handler does it (decodeLogBytes, then scanLogs with the whole catalog), from disk. */
async function scanFromDisk(file: string): Promise<AnalyzerMeasurement> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const content = await decodeLogBytes(readFileSync(file), file);
  const engine = new RuleEngine(catalog);
  const res = await scanLogs({ files: async function* () { yield { id: file }; }, read: async () => content }, engine, {
    maxRecordProblems: 5,
    // Threshold rules count as in the handler, with the state in memory here (the handler's goes to dynalite).
    thresholds: new ThresholdTracker(new MemoryThresholdStore()),
  });
  const wallMs = performance.now() - t0;
  if (content.error) throw new Error(`${file}: ${content.error}`);
  return { kind: "scan", wallMs, cpuMs: cpuMs(process.cpuUsage(c0)), records: res.stats.records, rawBytes: res.stats.bytes, maxRssMb: maxRssMb(), alerts: res.alerts.length };
}

/** S3 event notification of one object, in an SQS event as Lambda's event source mapping delivers it. */
function sqsEvent(bucket: string, key: string, size: number): SQSEvent {
  const body = JSON.stringify({
    Records: [{
      eventVersion: "2.1", eventSource: "aws:s3", awsRegion: "us-east-1", eventTime: new Date().toISOString(), eventName: "ObjectCreated:Put",
      s3: { s3SchemaVersion: "1.0", bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key, size } },
    }],
  });
  const messageId = randomUUID();
  return {
    Records: [{
      messageId, receiptHandle: `rh-${messageId}`, body, md5OfBody: "0", eventSource: "aws:sqs", awsRegion: "us-east-1",
      eventSourceARN: "arn:aws:sqs:us-east-1:111122223333:trailwatch-log-analyzer",
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "AIDAEXAMPLE", ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
    }],
  };
}

function lambdaContext(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "trailwatch-log-analyzer",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:trailwatch-log-analyzer",
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: "/aws/lambda/trailwatch-log-analyzer",
    logStreamName: "bench",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Holds back what the handler writes to stdout (Powertools JSON logs, EMF) and keeps its lines. */
function captureStdout(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const original = process.stdout.write.bind(process.stdout);
  let buf = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    buf += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  return {
    lines: () => {
      const out = buf.split("\n").filter((l) => l.startsWith("{")).map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
      buf = "";
      return out;
    },
    restore: () => {
      process.stdout.write = original;
    },
  };
}

async function handler(bucket: string, keys: string[], objectSize: number): Promise<AnalyzerMeasurement> {
  const sns = mockClient(SNSClient);
  let published = 0;
  sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
    const entries = input.PublishBatchRequestEntries ?? [];
    published += entries.length;
    return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: randomUUID() })), Failed: [] };
  });
  sns.on(PublishCommand).callsFake(() => {
    published++;
    return { MessageId: randomUUID() };
  });

  const out = captureStdout();
  try {
    const l0 = performance.now();
    const mod = await import("../../../functions/handlers/log-analyzer");
    const loadMs = performance.now() - l0;
    const rssAfterLoadMb = process.memoryUsage().rss / 2 ** 20;
    const invocations: Invocation[] = [];
    for (const key of keys) {
      const event = sqsEvent(bucket, key, objectSize);
      const before = published;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const res = await mod.handler(event, lambdaContext(120_000));
      const wallMs = performance.now() - t0;
      const cpu = cpuMs(process.cpuUsage(c0));
      const lines = out.lines();
      const analysed = lines.find((l) => l.message === "object analyzed" || l.message === "object partly unreadable; its good records were analyzed");
      invocations.push({
        key, wallMs, cpuMs: cpu,
        records: Number(analysed?.records ?? 0),
        invalidRecords: Number(analysed?.invalidRecords ?? 0),
        alerts: published - before,
        batchItemFailures: res.batchItemFailures.length,
        problems: lines.filter((l) => l.level === "ERROR" || l.level === "WARN").map((l) => `${String(l.message)}${l.error ? `: ${String(l.error)}` : ""}${l.reason ? `: ${String(l.reason)}` : ""}`),
      });
    }
    const first = invocations[0]!;
    return {
      kind: "handler", wallMs: first.wallMs, cpuMs: first.cpuMs, records: first.records, rawBytes: 0,
      maxRssMb: maxRssMb(), loadMs, rssAfterLoadMb, invocations,
    };
  } finally {
    out.restore();
    sns.restore();
  }
}

if (require.main === module) {
  const [kind, ...args] = process.argv.slice(2);
  const run = async (): Promise<AnalyzerMeasurement> => {
    if (kind === "bound" && args[0]) return bound(args[0]);
    if (kind === "scan" && args[0]) return scanFromDisk(args[0]);
    if (kind === "handler" && args.length >= 3) return handler(args[0]!, args.slice(2), Number(args[1]));
    throw new Error(`usage: analyzer-measure bound FILE | scan FILE | handler BUCKET OBJECT_SIZE KEY... (got "${process.argv.slice(2).join(" ")}")`);
  };
  run()
    .then((m) => {
      process.stdout.write(JSON.stringify(m) + "\n");
      // The SDK's keep-alive sockets would hold the process open for a while.
      process.exit(0);
    })
    .catch((e) => {
      process.stderr.write(`analyzer-measure: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    });
}
