/**
 * The part of a Distributed Map that aws-local-stepfunctions 3.0.0 does not run (it executes every
 * Map inline: no ItemReader, ItemBatcher, ResultWriter or ToleratedFailurePercentage), done in the
 * test the way Step Functions documents it, so the rest of a definition runs unchanged in the local
 * executor:
 *
 * - the Map state is replaced by a Task (same ResultSelector, ResultPath, Catch and Next) whose
 *   local handler does what the map run does;
 * - ItemReader (`arn:aws:states:::s3:getObject`, `ReaderConfig.InputType` JSON) reads the item
 *   array from S3 (s3rver) with its Parameters evaluated against the state's input;
 * - ItemBatcher groups items into `{"BatchInput", "Items"}` of at most MaxItemsPerBatch items and
 *   MaxInputBytesPerBatch bytes; each batch runs as a child execution of the ItemProcessor in the
 *   local executor (the real task handlers), named with a UUID as AWS names them, at most
 *   MaxConcurrency at a time;
 * - ToleratedFailurePercentage: once more items failed than tolerated, no further batch starts (the
 *   rest stay PENDING) and the map fails with `States.ExceedToleratedFailureThreshold`;
 * - ResultWriter writes `<Prefix>/<map run id>/manifest.json` and `SUCCEEDED_0.json`,
 *   `FAILED_0.json`, `PENDING_0.json` in the documented format, and the map's output is
 *   `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`.
 *
 * Every payload template is evaluated by the local executor itself (a one-state Pass machine), so
 * JSONPath and the context object behave as in the rest of the run.
 */
import { randomUUID } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { StateMachine } from "aws-local-stepfunctions";

type Json = Record<string, any>;
type Handler = (input: unknown) => Promise<unknown>;

/** What the emulated map runs did, for assertions. */
export interface MapRunRecord {
  state: string;
  mapRunArn: string;
  items: number;
  batches: { name: string; input: Json; status: "SUCCEEDED" | "FAILED" | "PENDING"; error?: string }[];
  /** Most child executions seen running at once. */
  peakConcurrency: number;
  resultKeys: string[];
  failed?: { error: string; cause: string };
}

/** Evaluates a JSONPath payload template against an input and context, with the local executor. */
export async function evaluateTemplate(template: unknown, input: unknown, context: Json = {}): Promise<unknown> {
  const machine = new StateMachine({ StartAt: "Evaluate", States: { Evaluate: { Type: "Pass", Parameters: template, End: true } } } as never);
  return machine.run(input as never, { context: context }).result;
}

/**
 * A copy of `definition` whose top-level Distributed Map states run through the emulation, and the
 * local handlers to give the executor (the child executions use `handlers` too).
 */
export function emulateDistributedMaps(
  definition: Json,
  opts: { s3: S3Client; handlers: Record<string, Handler>; stateMachineArn: string; executionName: string; record: MapRunRecord[]; retryIntervalOverrides?: Record<string, number> },
): { definition: Json; handlers: Record<string, Handler> } {
  // A JSON copy, not structuredClone: under jest that returns objects of another realm, whose nested
  // payload templates the executor would not recognise as plain objects.
  const copy = JSON.parse(JSON.stringify(definition)) as Json;
  const handlers: Record<string, Handler> = { ...opts.handlers };
  for (const [name, state] of Object.entries(copy.States as Record<string, Json>)) {
    if (state.Type !== "Map" || state.ItemProcessor?.ProcessorConfig?.Mode !== "DISTRIBUTED") continue;
    const map = state;
    copy.States[name] = {
      Type: "Task",
      Resource: `arn:aws:lambda:us-east-1:123456789012:function:emulated-distributed-map`,
      ...(map.ResultSelector ? { ResultSelector: map.ResultSelector } : {}),
      ...(map.ResultPath !== undefined ? { ResultPath: map.ResultPath } : {}),
      ...(map.Catch ? { Catch: map.Catch } : {}),
      ...(map.Next ? { Next: map.Next } : { End: true }),
    };
    handlers[name] = (input) => runMap(name, map, input, opts);
  }
  return { definition: copy, handlers };
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await res.Body!.transformToString());
}

async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  const body = JSON.stringify(value);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }));
}

function mapError(name: string, cause: string): Error {
  const e = new Error(cause);
  e.name = name;
  return e;
}

async function runMap(stateName: string, map: Json, input: unknown, opts: Parameters<typeof emulateDistributedMaps>[1]): Promise<unknown> {
  // ItemReader
  const reader = map.ItemReader as Json;
  if (reader.Resource !== "arn:aws:states:::s3:getObject" || reader.ReaderConfig?.InputType !== "JSON") {
    throw new Error(`the emulation reads JSON arrays with s3:getObject only (got ${reader.Resource} ${reader.ReaderConfig?.InputType})`);
  }
  const where = (await evaluateTemplate(reader.Parameters, input)) as { Bucket: string; Key: string };
  const read = await readJson(opts.s3, where.Bucket, where.Key);
  if (!Array.isArray(read)) throw mapError("States.ItemReaderFailed", `s3://${where.Bucket}/${where.Key} is not a JSON array`);
  let items: unknown[] = read;
  if (reader.ReaderConfig?.MaxItems) items = items.slice(0, reader.ReaderConfig.MaxItems);
  if (map.ItemSelector) {
    items = await Promise.all(items.map((value: unknown, index: number) => evaluateTemplate(map.ItemSelector, input, { Map: { Item: { Index: index, Value: value } } })));
  }

  // ItemBatcher
  const batcher = map.ItemBatcher as Json | undefined;
  const batchInput = batcher?.BatchInput ? await evaluateTemplate(batcher.BatchInput, input) : undefined;
  const inputs: Json[] = [];
  if (!batcher) for (const item of items) inputs.push(item as Json);
  else {
    const maxItems = batcher.MaxItemsPerBatch ?? Number.POSITIVE_INFINITY;
    const maxBytes = batcher.MaxInputBytesPerBatch ?? 256 * 1024;
    let cur: unknown[] = [];
    const bytes = (list: unknown[]) => Buffer.byteLength(JSON.stringify({ ...(batchInput !== undefined ? { BatchInput: batchInput } : {}), Items: list }));
    for (const item of items) {
      if (cur.length > 0 && (cur.length >= maxItems || bytes([...cur, item]) > maxBytes)) {
        inputs.push({ ...(batchInput !== undefined ? { BatchInput: batchInput } : {}), Items: cur });
        cur = [];
      }
      cur.push(item);
    }
    if (cur.length > 0) inputs.push({ ...(batchInput !== undefined ? { BatchInput: batchInput } : {}), Items: cur });
  }

  // Child executions, MaxConcurrency at a time, until the tolerated failures are exceeded.
  const mapRunId = randomUUID();
  const stateMachineName = opts.stateMachineArn.split(":").at(-1)!;
  const mapRunArn = opts.stateMachineArn.replace(":stateMachine:", ":mapRun:") + `/${map.Label ?? stateName}:${mapRunId}`;
  const { ProcessorConfig: _mode, ...processor } = map.ItemProcessor as Json;
  const child = new StateMachine(processor as never, { validationOptions: { checkArn: false } });
  const record: MapRunRecord = { state: stateName, mapRunArn, items: items.length, batches: [], peakConcurrency: 0, resultKeys: [] };
  opts.record.push(record);
  const tolerated = map.ToleratedFailurePercentage ?? 0;
  const itemCount = (x: Json) => (Array.isArray(x.Items) ? x.Items.length : 1);
  let failedItems = 0;
  let exceeded = false;
  let running = 0;
  let next = 0;
  type Entry = Json;
  const entries: Record<"SUCCEEDED" | "FAILED" | "PENDING", Entry[]> = { SUCCEEDED: [], FAILED: [], PENDING: [] };
  const concurrency = map.MaxConcurrency ? map.MaxConcurrency : inputs.length || 1;
  const executionArn = (name: string) => `${opts.stateMachineArn.replace(":stateMachine:", ":execution:")}/${map.Label ?? stateName}:${name}`;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, Math.max(1, inputs.length)) }, async () => {
      while (next < inputs.length && !exceeded) {
        const childInput = inputs[next++]!;
        const name = randomUUID();
        const start = new Date().toISOString();
        running++;
        record.peakConcurrency = Math.max(record.peakConcurrency, running);
        const base = { ExecutionArn: executionArn(name), Input: JSON.stringify(childInput), InputDetails: { Included: true }, Name: name, RedriveCount: 0, StartDate: start, StateMachineArn: `${opts.stateMachineArn}/${map.Label ?? stateName}` };
        try {
          const output = await child.run(childInput, {
            overrides: { taskResourceLocalHandlers: opts.handlers as never, ...(opts.retryIntervalOverrides ? { retryIntervalOverrides: opts.retryIntervalOverrides } : {}) },
            context: { Execution: { Id: executionArn(name), Name: name, StartTime: start }, StateMachine: { Id: base.StateMachineArn, Name: `${stateMachineName}/${map.Label ?? stateName}` } },
          }).result;
          entries.SUCCEEDED.push({ ...base, Output: JSON.stringify(output), OutputDetails: { Included: true }, RedriveStatus: "NOT_REDRIVABLE", Status: "SUCCEEDED", StopDate: new Date().toISOString() });
          record.batches.push({ name, input: childInput, status: "SUCCEEDED" });
        } catch (e) {
          const err = ((e as { cause?: Error }).cause ?? e) as Error;
          entries.FAILED.push({ ...base, Error: err.name, Cause: err.message, RedriveStatus: "REDRIVABLE", Status: "FAILED", StopDate: new Date().toISOString() });
          record.batches.push({ name, input: childInput, status: "FAILED", error: err.name });
          failedItems += itemCount(childInput);
          if ((failedItems / Math.max(1, items.length)) * 100 > tolerated) exceeded = true;
        } finally {
          running--;
        }
      }
    }),
  );
  for (const childInput of inputs.slice(next)) {
    const name = randomUUID();
    entries.PENDING.push({ ExecutionArn: executionArn(name), Input: JSON.stringify(childInput), InputDetails: { Included: true }, Name: name, Status: "PENDING" });
    record.batches.push({ name, input: childInput, status: "PENDING" });
  }

  // ResultWriter
  const writer = map.ResultWriter as Json;
  const dest = (await evaluateTemplate(writer.Parameters, input)) as { Bucket: string; Prefix?: string };
  const folder = `${dest.Prefix ? `${dest.Prefix.replace(/\/$/, "")}/` : ""}${mapRunId}/`;
  const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const status of ["SUCCEEDED", "FAILED", "PENDING"] as const) {
    if (entries[status].length === 0) continue;
    const key = `${folder}${status}_0.json`;
    await putJson(opts.s3, dest.Bucket, key, entries[status]);
    files[status]!.push({ Key: key, Size: Buffer.byteLength(JSON.stringify(entries[status])) });
    record.resultKeys.push(key);
  }
  const manifestKey = `${folder}manifest.json`;
  await putJson(opts.s3, dest.Bucket, manifestKey, { DestinationBucket: dest.Bucket, MapRunArn: mapRunArn, ResultFiles: files });
  record.resultKeys.push(manifestKey);
  if (exceeded) {
    record.failed = { error: "States.ExceedToleratedFailureThreshold", cause: "The specified tolerated failure threshold was exceeded" };
    throw mapError(record.failed.error, record.failed.cause);
  }
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: dest.Bucket, Key: manifestKey } };
}
