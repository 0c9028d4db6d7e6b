import { gzipSync } from "node:zlib";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { StateMachine } from "aws-local-stepfunctions";

/** An execution event (the package declares the type but does not export it). */
export type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

// aws-local-stepfunctions 3 targets Node 22; Node 20 lacks Promise.withResolvers, which it calls per Task.
const P = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } };
P.withResolvers ??= <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** Step Functions' limit on the data a state passes on. */
export const STATE_PAYLOAD_LIMIT = 256 * 1024;

/**
 * Binds a handler to a Task state the way Lambda runs it for Step Functions: the input and the
 * result cross as JSON (a result over the 256 KB state limit fails the test), and a thrown error
 * reaches the state machine as Lambda reports it: Error = the error's name, Cause = the JSON
 * `{"errorType", "errorMessage", "trace"}`.
 */
export function asLambda(handler: (event: never) => Promise<unknown>, calls?: unknown[]) {
  return async (input: unknown) => {
    const event = JSON.parse(JSON.stringify(input));
    calls?.push(event);
    let result: unknown;
    try {
      result = await handler(event as never);
    } catch (e) {
      const err = e as Error;
      const lambdaError = new Error(JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: [] }));
      lambdaError.name = err.name;
      throw lambdaError;
    }
    const json = JSON.stringify(result ?? null);
    if (Buffer.byteLength(json) > STATE_PAYLOAD_LIMIT) throw new Error(`task result of ${Buffer.byteLength(json)} bytes is over the 256 KB state limit`);
    return JSON.parse(json);
  };
}

/** Collects an execution's event log (it ends when the execution does). */
export async function collectEvents(logs: AsyncGenerator<EventLog>): Promise<EventLog[]> {
  const out: EventLog[] = [];
  for await (const e of logs) out.push(e);
  return out;
}

export const ACCOUNT = "111122223333";

/** A CloudTrail record with the fields the scorer reads; `who` is an IAM user name or `role:<name>/<session>`. */
export function ctRecord(who: string, eventSource: string, eventName: string, eventTime: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const userIdentity = who.startsWith("role:")
    ? (() => {
        const [role, session] = who.slice(5).split("/");
        return {
          type: "AssumedRole", principalId: `AROAEXAMPLE:${session}`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`, accountId: ACCOUNT,
          sessionContext: { sessionIssuer: { type: "Role", principalId: "AROAEXAMPLE", arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role } },
        };
      })()
    : { type: "IAMUser", principalId: `AIDA${who.toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:user/${who}`, accountId: ACCOUNT, userName: who };
  return {
    eventVersion: "1.09", userIdentity, eventTime, eventSource, eventName, awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7", userAgent: "aws-cli/2.15.0", requestParameters: null, responseElements: null,
    eventID: `${who}-${eventName}-${eventTime}`, readOnly: true, eventType: "AwsApiCall", recipientAccountId: ACCOUNT, ...extra,
  };
}

/** A log file as CloudTrail delivers it: gzipped `{"Records": [...]}`. */
export function logFile(records: Record<string, unknown>[]): Buffer {
  return gzipSync(JSON.stringify({ Records: records }));
}

/** CloudTrail's file name for a delivery. */
export function logKey(prefix: string, account: string, region: string, time: string, unique: string): string {
  const stamp = time.replace(/[-:]/g, "").slice(0, 13) + "Z";
  return `${prefix}${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

/** Uploads objects with a few requests in flight. */
export async function putAll(s3: S3Client, bucket: string, objects: { key: string; body: Buffer | string }[], concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < objects.length) {
      const o = objects[next++]!;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body, ContentLength: Buffer.byteLength(o.body) }));
    }
  }));
}
