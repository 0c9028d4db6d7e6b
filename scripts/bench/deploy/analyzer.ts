import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { analyzerObject, logObjectKey, type AnalyzerObject } from "./analyzer-data";
import type { AnalyzerMeasurement } from "./analyzer-measure";
import { runMeasureChild } from "./child";
import { startLocalAws } from "./local-servers";

const MEASURE = join(__dirname, "analyzer-measure.ts");
const BUCKET = "org-trail-logs";
const TABLE = "trailwatch-idempotency";

export interface AnalyzerOptions {
  dir: string;
  mb: number;
  repeat: number;
  /** Invocations per handler process (the first is the cold container's; the others warm). */
  invocations: number;
  log: (s: string) => void;
}

export interface AnalyzerResult {
  object: Omit<AnalyzerObject, "path">;
  repeat: number;
  /** Fastest of the runs, by wall clock. */
  bound: AnalyzerMeasurement;
  /** The analyzer's decoding + rule scan of the same object from disk (no AWS I/O). */
  scan: AnalyzerMeasurement;
  handler: AnalyzerMeasurement;
  runs: { bound: AnalyzerMeasurement[]; scan: AnalyzerMeasurement[]; handler: AnalyzerMeasurement[] };
}

/** The handler's environment: its contract variables, and every AWS endpoint on this machine. */
function handlerEnv(s3Endpoint: string, dynamoEndpoint: string): Record<string, string> {
  return {
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    // s3rver's own key pair (it rejects others); dynalite accepts any.
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    // Any client without its own override (STS, IAM, ...) reaches a closed loopback port, never AWS.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_LAMBDA_FUNCTION_NAME: "trailwatch-log-analyzer",
    ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts",
    IDEMPOTENCY_TABLE: TABLE,
    FUNCTION_ROLE_ARN: "arn:aws:iam::111122223333:role/trailwatch-log-analyzer",
    POWERTOOLS_SERVICE_NAME: "log-analyzer",
    POWERTOOLS_METRICS_NAMESPACE: "trailwatch",
  };
}

function check(m: AnalyzerMeasurement, obj: AnalyzerObject): void {
  for (const inv of m.invocations ?? []) {
    if (inv.batchItemFailures > 0 || inv.records !== obj.records) {
      throw new Error(
        `log-analyzer handler on ${inv.key}: ${inv.batchItemFailures} failed message(s), ${inv.records} of ${obj.records} records analysed` +
          (inv.problems.length ? `; logged: ${inv.problems.slice(0, 3).join(" | ")}` : ""),
      );
    }
  }
}

/**
 * The log analyzer's throughput on one large object: s3rver serves it and dynalite holds the
 * idempotency table (both in this process, on loopback), and each measurement runs in a fresh child:
 * the bound (the same object from disk: gunzip + JSON.parse), the analyzer's decoding and rule scan
 * of it from disk (what analysing costs without AWS I/O), and the real handler invoked with an SQS
 * event of the object's S3 notification. They alternate, `repeat` times; the fastest of each is kept.
 */
export async function measureAnalyzer(o: AnalyzerOptions): Promise<AnalyzerResult> {
  const obj = await analyzerObject(o.dir, o.mb, o.log);
  const gz = await readFile(obj.path);
  const aws = await startLocalAws(BUCKET, TABLE);
  try {
    const env = handlerEnv(aws.s3Endpoint, aws.dynamoEndpoint);
    const bounds: AnalyzerMeasurement[] = [];
    const scans: AnalyzerMeasurement[] = [];
    const handlers: AnalyzerMeasurement[] = [];
    for (let r = 0; r < o.repeat; r++) {
      // Fresh keys for every process: the idempotency table would otherwise skip an object already done.
      const keys = Array.from({ length: o.invocations }, (_, i) => logObjectKey(`bench${r}x${i}`));
      for (const k of keys) await aws.putObject(BUCKET, k, gz);
      o.log(`log analyzer: run ${r + 1}/${o.repeat}: bound`);
      bounds.push(await runMeasureChild<AnalyzerMeasurement>(MEASURE, ["bound", obj.path], {}));
      o.log(`log analyzer: run ${r + 1}/${o.repeat}: scan from disk`);
      scans.push(await runMeasureChild<AnalyzerMeasurement>(MEASURE, ["scan", obj.path], {}));
      o.log(`log analyzer: run ${r + 1}/${o.repeat}: handler`);
      const h = await runMeasureChild<AnalyzerMeasurement>(MEASURE, ["handler", BUCKET, String(obj.gzBytes), ...keys], env);
      check(h, obj);
      handlers.push({ ...h, rawBytes: obj.rawBytes });
    }
    for (const b of [...bounds, ...scans]) if (b.records !== obj.records) throw new Error(`${b.kind} read ${b.records} records, the object has ${obj.records}`);
    const fastest = (ms: AnalyzerMeasurement[]) => ms.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const { path: _path, ...object } = obj;
    return { object, repeat: o.repeat, bound: fastest(bounds), scan: fastest(scans), handler: fastest(handlers), runs: { bound: bounds, scan: scans, handler: handlers } };
  } finally {
    await aws.stop();
  }
}
