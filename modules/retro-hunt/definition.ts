/**
 * The retro-hunt state machine in Amazon States Language (JSONPath), built from its functions' ARNs
 * and the results bucket. The cdktf module deploys exactly this object; the tests validate it with
 * asl-validator and execute it with aws-local-stepfunctions, the tasks bound to the real handlers.
 *
 *   Plan the hunt (lists the window's log files into a manifest)
 *     -> Any log files? -> Scan the log files (Distributed Map over the manifest, batches of keys,
 *        each child: Scan a batch) -> Summarize -> Did the hunt fail? -> Done | Hunt failed
 *   bad input: Invalid input (fails at once, nothing listed); a failing plan or summary: fails with its error.
 *   More failed batches than tolerated: the map fails, the summary is still written (status failed), then Hunt failed.
 */

import { MAP_LABEL, STATE } from "../../functions/core/hunt/states";

export interface RetroHuntDefinitionProps {
  planFunctionArn: string;
  scanFunctionArn: string;
  summarizeFunctionArn: string;
  /** The module's results bucket: the manifest is read from it, the map's results are written to it. */
  resultsBucket: string;
  /** Batches scanned at once (child executions in flight, so Lambda invocations in flight). */
  maxConcurrency: number;
  /** Log files per batch (one scan invocation). */
  itemsPerBatch: number;
  /** Share of batches that may fail (after retries) before the map run, and the hunt, fails. */
  toleratedFailurePercentage: number;
  planTimeoutSeconds?: number;
  scanTimeoutSeconds?: number;
  summarizeTimeoutSeconds?: number;
  /** Whole execution. Default 24 hours. */
  executionTimeoutSeconds?: number;
}

export { STATE, MAP_LABEL };

/** Error names (as Lambda reports them to Step Functions) that are retried with backoff. */
export const RETRIED_ERRORS = {
  lambda: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
  /** Throttling or a 5xx from S3 or SNS after the SDK's own retries. */
  transient: ["TransientError"],
} as const;

/** The ItemBatcher's cap on one batch's input (Step Functions allows at most 256 KiB). */
export const MAX_INPUT_BYTES_PER_BATCH = 200_000;

const retry = [
  { ErrorEquals: [...RETRIED_ERRORS.lambda], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" },
  { ErrorEquals: [...RETRIED_ERRORS.transient], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 3, MaxDelaySeconds: 300, JitterStrategy: "FULL" },
];
const execution = { "name.$": "$$.Execution.Name", "startTime.$": "$$.Execution.StartTime" };

/** Builds the definition (a plain object; `JSON.stringify` it for `aws_sfn_state_machine.definition`). */
export function retroHuntDefinition(p: RetroHuntDefinitionProps): Record<string, unknown> {
  return {
    Comment: "trailwatch retro-hunt: run the rule catalog over a window of CloudTrail history in the trail bucket, in parallel batches",
    StartAt: STATE.plan,
    TimeoutSeconds: p.executionTimeoutSeconds ?? 24 * 3600,
    States: {
      [STATE.plan]: {
        Type: "Task",
        Comment: "Validates the input, lists the window's day folders in the CloudTrail layout and writes the manifest of log files",
        Resource: p.planFunctionArn,
        Parameters: { "input.$": "$", execution },
        ResultPath: "$.plan",
        TimeoutSeconds: p.planTimeoutSeconds ?? 900,
        Retry: retry,
        Catch: [
          { ErrorEquals: ["InvalidInput"], ResultPath: "$.error", Next: STATE.invalidInput },
          { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: STATE.planFailed },
        ],
        Next: STATE.anyFiles,
      },
      [STATE.invalidInput]: { Type: "Fail", Comment: "The plan function rejected the input; the cause names each problem", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
      [STATE.planFailed]: { Type: "Fail", Comment: "The log files could not be listed at all", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
      [STATE.anyFiles]: {
        Type: "Choice",
        Choices: [{ Variable: "$.plan.files", NumericGreaterThan: 0, Next: STATE.scanAll }],
        Default: STATE.summarize,
      },
      [STATE.scanAll]: {
        Type: "Map",
        Comment: "One child execution per batch of log files; bounded concurrency keeps Lambda and S3 request rates within the account's limits",
        Label: MAP_LABEL,
        ItemReader: {
          Resource: "arn:aws:states:::s3:getObject",
          ReaderConfig: { InputType: "JSON" },
          Parameters: { Bucket: p.resultsBucket, "Key.$": "$.plan.manifestKey" },
        },
        ItemBatcher: {
          MaxItemsPerBatch: p.itemsPerBatch,
          MaxInputBytesPerBatch: MAX_INPUT_BYTES_PER_BATCH,
          BatchInput: { "hunt.$": "$.plan.hunt" },
        },
        MaxConcurrency: p.maxConcurrency,
        ToleratedFailurePercentage: p.toleratedFailurePercentage,
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: STATE.scanBatch,
          States: {
            [STATE.scanBatch]: {
              Type: "Task",
              Resource: p.scanFunctionArn,
              Parameters: { "hunt.$": "$.BatchInput.hunt", "items.$": "$.Items", "batchId.$": "$$.Execution.Name" },
              TimeoutSeconds: p.scanTimeoutSeconds ?? 900,
              Retry: retry,
              End: true,
            },
          },
        },
        ResultWriter: {
          Resource: "arn:aws:states:::s3:putObject",
          Parameters: { Bucket: p.resultsBucket, "Prefix.$": "$.plan.mapResultsPrefix" },
        },
        ResultSelector: { "mapRunArn.$": "$.MapRunArn", "results.$": "$.ResultWriterDetails" },
        ResultPath: "$.map",
        // Past the tolerated share the map fails; the summary is still written, then the hunt fails.
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.mapError", Next: STATE.summarize }],
        Next: STATE.summarize,
      },
      [STATE.summarize]: {
        Type: "Task",
        Comment: "Merges the batches' alerts, writes alerts.jsonl and summary.json, optionally publishes the alerts marked retro-hunt",
        Resource: p.summarizeFunctionArn,
        Parameters: { "state.$": "$", execution },
        ResultPath: "$.summary",
        TimeoutSeconds: p.summarizeTimeoutSeconds ?? 900,
        Retry: retry,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: STATE.summaryFailed }],
        Next: STATE.didFail,
      },
      [STATE.summaryFailed]: { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
      [STATE.didFail]: {
        Type: "Choice",
        Choices: [{ Variable: "$.mapError", IsPresent: true, Next: STATE.failed }],
        Default: STATE.done,
      },
      [STATE.failed]: { Type: "Fail", Comment: "More batches failed than tolerated; summary.json says which and why", ErrorPath: "$.mapError.Error", CausePath: "$.mapError.Cause" },
      [STATE.done]: { Type: "Succeed", OutputPath: "$.summary" },
    },
  };
}
