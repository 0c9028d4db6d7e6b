/**
 * The scoring state machine in Amazon States Language, built from the three functions' ARNs. The
 * cdktf module deploys exactly this object, and the tests validate it with asl-validator and execute
 * it with aws-local-stepfunctions, the three tasks bound to the real handlers.
 *
 *   Check input -> Plan the read -> Read log files (Map over batches: Read a batch)
 *     -> Count pairs -> Score pairs -> Send alerts -> Done
 *   bad input: fails at once (Bad input / Invalid input), nothing retried or reported;
 *   any other failure, after retries: Report failure (alert routing) -> Scoring failed.
 */

export interface ScoringDefinitionProps {
  readFunctionArn: string;
  scoreFunctionArn: string;
  alertFunctionArn: string;
  /** Batches read at once by the Map state. Default 8. */
  mapConcurrency?: number;
  /** Task timeouts in seconds (keep them at or above the functions' own). */
  readTimeoutSeconds?: number;
  scoreTimeoutSeconds?: number;
  alertTimeoutSeconds?: number;
  /** Whole execution. Default 6 hours. */
  executionTimeoutSeconds?: number;
}

/** State names, used by the tests to bind local handlers and by people reading the console. */
export const STATE = {
  check: "Check input",
  badInput: "Bad input",
  plan: "Plan the read",
  invalidInput: "Invalid input",
  readAll: "Read log files",
  readBatch: "Read a batch",
  merge: "Count pairs",
  score: "Score pairs",
  alert: "Send alerts",
  done: "Done",
  reportFailure: "Report failure",
  failed: "Scoring failed",
} as const;

/** Error names (as Lambda reports them to Step Functions) that are retried with backoff. */
export const RETRIED_ERRORS = {
  /** Lambda itself could not run the function: service errors and throttling. */
  lambda: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
  /** A handler met throttling or a 5xx from S3, SNS or SageMaker after the SDK's own retries. */
  transient: ["TransientError"],
} as const;

/** The cause people see when the input is not even the right shape (checked before any Lambda runs). */
export const BAD_INPUT_CAUSE =
  'The input must be a JSON object with string fields cloudtrail_bucket, aws_account (12 digits), aws_region and day_of_interest ("YYYY/MM/DD"), e.g. {"cloudtrail_bucket": "my-trail-bucket", "aws_account": "111122223333", "aws_region": "us-east-1", "day_of_interest": "2026/11/20"}';

const retry = [
  { ErrorEquals: [...RETRIED_ERRORS.lambda], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" },
  { ErrorEquals: [...RETRIED_ERRORS.transient], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 3, MaxDelaySeconds: 300, JitterStrategy: "FULL" },
];
const toReport = { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: STATE.reportFailure };
const present = (v: string) => ({ Variable: v, IsPresent: true });
const absent = (v: string) => ({ Not: present(v) });
const str = (v: string) => ({ Variable: v, IsString: true });

/** Builds the definition (a plain object; `JSON.stringify` it for `aws_sfn_state_machine.definition`). */
export function scoringDefinition(p: ScoringDefinitionProps): Record<string, unknown> {
  const readTimeout = p.readTimeoutSeconds ?? 900;
  const task = (resource: string, timeout: number, parameters: Record<string, unknown>, next: string, resultPath: string | null) => ({
    Type: "Task",
    Resource: resource,
    Parameters: parameters,
    ResultPath: resultPath,
    TimeoutSeconds: timeout,
    Retry: retry,
    Catch: [toReport],
    Next: next,
  });
  return {
    Comment: "trailwatch scoring: read one account's CloudTrail logs of one region and day, score each (principal, API) pair, alert above the threshold",
    StartAt: STATE.check,
    TimeoutSeconds: p.executionTimeoutSeconds ?? 6 * 3600,
    States: {
      [STATE.check]: {
        Type: "Choice",
        Comment: "Fails at once when a field is missing or not a string; the read function checks the values",
        Choices: [
          {
            Or: [
              absent("$.cloudtrail_bucket"), absent("$.aws_account"), absent("$.aws_region"),
              { And: [absent("$.day_of_interest"), absent("$.scheduled_time")] },
            ],
            Next: STATE.badInput,
          },
          { And: [str("$.cloudtrail_bucket"), str("$.aws_account"), str("$.aws_region")], Next: STATE.plan },
        ],
        Default: STATE.badInput,
      },
      [STATE.badInput]: { Type: "Fail", Error: "InvalidInput", Cause: BAD_INPUT_CAUSE },
      [STATE.plan]: {
        ...task(p.readFunctionArn, readTimeout, {
          action: "plan",
          "input.$": "$",
          execution: { "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name", "startTime.$": "$$.Execution.StartTime" },
        }, STATE.readAll, "$.run"),
        Catch: [{ ErrorEquals: ["InvalidInput"], ResultPath: "$.error", Next: STATE.invalidInput }, toReport],
      },
      [STATE.invalidInput]: { Type: "Fail", Comment: "The read function rejected the input; the cause says which field and why", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
      [STATE.readAll]: {
        Type: "Map",
        Comment: "One invocation per batch of log files (bounded files and bytes), so a day of any size is read",
        ItemsPath: "$.run.batches",
        ItemSelector: { action: "read-batch", "runPrefix.$": "$.run.runPrefix", "bucket.$": "$.run.bucket", "batch.$": "$$.Map.Item.Value" },
        MaxConcurrency: p.mapConcurrency ?? 8,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: STATE.readBatch,
          States: {
            [STATE.readBatch]: { Type: "Task", Resource: p.readFunctionArn, TimeoutSeconds: readTimeout, Retry: retry, End: true },
          },
        },
        ResultPath: null,
        Catch: [toReport],
        Next: STATE.merge,
      },
      [STATE.merge]: task(p.readFunctionArn, readTimeout, { action: "merge", "run.$": "$.run" }, STATE.score, "$.read"),
      [STATE.score]: task(p.scoreFunctionArn, p.scoreTimeoutSeconds ?? 900, { action: "score", "run.$": "$.run", "read.$": "$.read" }, STATE.alert, "$.scores"),
      [STATE.alert]: {
        ...task(p.alertFunctionArn, p.alertTimeoutSeconds ?? 300, { action: "alert", "run.$": "$.run", "read.$": "$.read", "scores.$": "$.scores" }, STATE.done, "$.result"),
      },
      [STATE.done]: { Type: "Succeed", OutputPath: "$.result" },
      [STATE.reportFailure]: {
        Type: "Task",
        Resource: p.alertFunctionArn,
        Parameters: { action: "failure", "state.$": "$", execution: { "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name" } },
        ResultPath: "$.report",
        TimeoutSeconds: p.alertTimeoutSeconds ?? 300,
        Retry: retry,
        // Even when the report cannot be sent, the execution fails with the original error.
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.reportError", Next: STATE.failed }],
        Next: STATE.failed,
      },
      [STATE.failed]: { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
    },
  };
}
