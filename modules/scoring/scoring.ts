import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { scoringDefinition } from "./definition";
import { undeliverableStatement, type UndeliverableAlertsRef } from "../alerting/alerting";
import { NodeFunction } from "../lambda-function";
import { ABORT_INCOMPLETE_UPLOADS, eventCountAlarm, Platform, policyDocument, queueNotEmptyAlarm, recomputableBucket, scheduleLauncher } from "../platform";
import { effectiveThreshold, type ScoringSettings } from "./config";
import { alertStatements, LOG_DELIVERY_ACTIONS, readStatements, scoreStatements, trailRootPrefix, type ScoringPolicyContext } from "./policies";

export interface ScoringProps extends ScoringSettings {
  /** The one alert topic (from `Alerting`): unusual pairs, run summaries and failed runs go there. */
  alertTopicArn: string;
  /** The undeliverable-alerts queue (from `Alerting`): an alert the topic refuses for good goes there and the others go on. */
  undeliverableAlerts?: UndeliverableAlertsRef;
}

/** Node flags of the read function: a young generation large enough for one log file's records. */
export const READ_NODE_OPTIONS = "--max-semi-space-size=64";

/** Seconds the functions may run; the state machine's task timeouts match them. */
const READ_TIMEOUT = 900;
const SCORE_TIMEOUT = 900;
const ALERT_TIMEOUT = 300;

/**
 * The scoring state machine: reads one account's CloudTrail logs of one region and day (every file,
 * in batches), scores each (principal, API) pair with the built-in scorer or a SageMaker endpoint,
 * and alerts above the threshold (one email summary per run; every unusual pair to the other sinks).
 *
 * Deploys three functions (read, score, alert), a Standard state machine that may invoke exactly
 * those, logging to a KMS-encrypted log group, a KMS-encrypted working bucket whose `runs/` and
 * `history/` expire, and optionally a daily EventBridge Scheduler schedule per account and region
 * with a dead-letter queue.
 */
export class Scoring extends Construct {
  readonly workBucket: S3Bucket;
  readonly read: NodeFunction;
  readonly score: NodeFunction;
  readonly alert: NodeFunction;
  readonly stateMachine: SfnStateMachine;
  readonly stateMachineRole: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly timedOutAlarm: CloudwatchMetricAlarm;
  readonly schedules: SchedulerSchedule[] = [];
  readonly scheduleRole?: IamRole;
  readonly scheduleDlq?: SqsQueue;
  readonly scheduleDlqAlarm?: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ScoringProps) {
    super(scope, id);
    const platform = Platform.of(this);
    const key = platform.kmsKey;

    // Only run files and the per-day pair counts cache, both recomputed from the CloudTrail logs.
    this.workBucket = recomputableBucket(this, "work", {
      bucket: `${platform.namePrefix}-scoring-${platform.account}-${platform.region}`.slice(0, 63),
      kmsKeyArn: key.arn,
      lifecycle: [
        { id: "expire-runs", status: "Enabled", filter: [{ prefix: "runs/" }], expiration: [{ days: props.runRetentionDays }] },
        { id: "expire-history", status: "Enabled", filter: [{ prefix: "history/" }], expiration: [{ days: props.historyRetentionDays }] },
        ABORT_INCOMPLETE_UPLOADS,
      ],
    });

    const ctx: ScoringPolicyContext = {
      partition: platform.partition, account: platform.account, region: platform.region,
      alertTopicArn: props.alertTopicArn, platformKeyArn: key.arn, workBucketArn: this.workBucket.arn,
    };
    const common = { WORK_BUCKET: this.workBucket.bucket };
    const sagemaker = props.scorer.type === "sagemaker" ? props.scorer : undefined;
    this.read = new NodeFunction(this, "read", {
      entry: "functions/handlers/scoring/read.ts",
      name: "scoring-read",
      description: "trailwatch scoring: lists a day's CloudTrail log files, reads them in batches and counts (principal, API) pairs.",
      environment: {
        ...common,
        CLOUDTRAIL_BUCKETS: props.cloudtrailBuckets.join(","),
        LOG_PREFIX: props.keyPrefix,
        ...(props.layout.type === "organization" ? { ORGANIZATION_ID: props.layout.organizationId } : {}),
        // A model needs no history: read only the day of interest.
        HISTORY_DAYS: String(sagemaker ? 0 : props.historyDays),
        BATCH_MAX_FILES: String(props.batchMaxFiles),
        BATCH_MAX_MB: String(props.batchMaxMb),
        // Each log file's records outlive V8's default 16 MB young generation and are promoted, so
        // collection costs as much as parsing; 64 MB cuts the read's CPU by about 40 % (scripts/bench/scoring.ts).
        NODE_OPTIONS: READ_NODE_OPTIONS,
      },
      timeoutSeconds: READ_TIMEOUT,
      memoryMb: props.readMemoryMb,
      invokedAsynchronously: false,
      statements: readStatements(props, ctx),
    });
    this.score = new NodeFunction(this, "score", {
      entry: "functions/handlers/scoring/score.ts",
      name: "scoring-score",
      description: `trailwatch scoring: scores each pair with ${sagemaker ? `SageMaker endpoint ${sagemaker.endpointName}` : "the built-in scorer"}.`,
      environment: {
        ...common,
        SCORER: props.scorer.type,
        MIN_HISTORY_DAYS: String(props.minHistoryDays),
        ...(sagemaker ? { SAGEMAKER_ENDPOINT: sagemaker.endpointName, SAGEMAKER_MAX_ROWS: String(sagemaker.maxRowsPerRequest) } : {}),
        ...(sagemaker?.columns ? { SAGEMAKER_COLUMNS: sagemaker.columns.join(",") } : {}),
      },
      timeoutSeconds: SCORE_TIMEOUT,
      memoryMb: props.scoreMemoryMb,
      invokedAsynchronously: false,
      statements: scoreStatements(props, ctx),
    });
    this.alert = new NodeFunction(this, "alert", {
      entry: "functions/handlers/scoring/alert.ts",
      name: "scoring-alert",
      description: "trailwatch scoring: alerts on pairs above the threshold, one email summary per run, reports failed runs.",
      environment: {
        ...common,
        ALERT_TOPIC_ARN: props.alertTopicArn,
        INSIGHT_THRESHOLD: String(effectiveThreshold(props)),
        ...(props.undeliverableAlerts ? { UNDELIVERABLE_QUEUE_URL: props.undeliverableAlerts.queueUrl } : {}),
      },
      timeoutSeconds: ALERT_TIMEOUT,
      memoryMb: 512,
      invokedAsynchronously: false,
      statements: [...alertStatements(props, ctx), ...(props.undeliverableAlerts ? [undeliverableStatement(props.undeliverableAlerts)] : [])],
    });

    const name = platform.name("scoring");
    // The /aws/vendedlogs/ prefix keeps log delivery from growing the account's log resource policy.
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/vendedlogs/states/${name}`,
      retentionInDays: platform.logRetentionDays,
      kmsKeyId: key.arn,
    });
    const functionArns = [this.read.function.arn, this.score.function.arn, this.alert.function.arn];
    this.stateMachineRole = new IamRole(this, "role", {
      name: `${name}-state-machine`.slice(0, 64),
      description: "Runs the trailwatch scoring state machine: invokes its three functions, delivers its logs",
      assumeRolePolicy: policyDocument(this, "trust", [
        {
          principals: [{ type: "Service", identifiers: ["states.amazonaws.com"] }],
          actions: ["sts:AssumeRole"],
          resources: [],
          conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [platform.account] }],
        },
      ]).json,
    });
    const rolePolicy = new IamRolePolicy(this, "role-policy", {
      name: `${name}-state-machine`,
      role: this.stateMachineRole.id,
      policy: policyDocument(this, "permissions", [
        { sid: "InvokeTheThreeScoringFunctions", actions: ["lambda:InvokeFunction"], resources: functionArns },
        { sid: "DeliverExecutionLogs", actions: [...LOG_DELIVERY_ACTIONS], resources: ["*"] },
      ]).json,
    });
    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      name,
      type: "STANDARD",
      roleArn: this.stateMachineRole.arn,
      definition: JSON.stringify(
        scoringDefinition({
          readFunctionArn: this.read.function.arn,
          scoreFunctionArn: this.score.function.arn,
          alertFunctionArn: this.alert.function.arn,
          mapConcurrency: props.mapConcurrency,
          readTimeoutSeconds: READ_TIMEOUT,
          scoreTimeoutSeconds: SCORE_TIMEOUT,
          alertTimeoutSeconds: ALERT_TIMEOUT,
        }),
      ),
      loggingConfiguration: {
        logDestination: `${this.logGroup.arn}:*`,
        level: props.logLevel,
        includeExecutionData: props.logLevel === "ALL",
      },
      dependsOn: [rolePolicy],
    });

    const alarmActions = { alarmActions: [props.alertTopicArn], okActions: [props.alertTopicArn] };
    // Failures are caught and reported by the state machine itself; a timed-out execution is not.
    this.timedOutAlarm = eventCountAlarm(this, "timed-out", {
      alarmName: `${name}-executions-timed-out`,
      description: `A trailwatch scoring execution timed out (no failure report was sent for it). Executions: state machine ${name}; logs: ${this.logGroup.name}.`,
      namespace: "AWS/States",
      metricName: "ExecutionsTimedOut",
      dimensions: { StateMachineArn: this.stateMachine.arn },
      period: 3600,
      ...alarmActions,
    });

    if (props.schedules.length > 0) {
      ({ role: this.scheduleRole, dlq: this.scheduleDlq } = scheduleLauncher(this, {
        roleName: `${name}-scheduler`,
        description: "Starts the daily trailwatch scoring runs",
        dlqName: platform.name("scoring-schedule-dlq"),
        start: { sid: "StartScoringRuns", actions: ["states:StartExecution"], resources: [this.stateMachine.arn] },
        kmsKeyArn: key.arn,
        account: platform.account,
      }));
      const bucket = props.cloudtrailBuckets[0]!;
      for (const s of props.schedules) {
        this.schedules.push(
          new SchedulerSchedule(this, `schedule-${s.account}-${s.region}`, {
            name: `${name}-${s.account}-${s.region}`.slice(0, 64),
            description: `Scores ${s.account} ${s.region} for the previous UTC day`,
            scheduleExpression: s.expression,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
              arn: this.stateMachine.arn,
              roleArn: this.scheduleRole.arn,
              // The read function scores the UTC day before scheduled_time (a schedule cannot compute dates).
              input: JSON.stringify({ cloudtrail_bucket: bucket, aws_account: s.account, aws_region: s.region, scheduled_time: "<aws.scheduler.scheduled-time>" }),
              retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 6 * 3600 },
              deadLetterConfig: { arn: this.scheduleDlq.arn },
            },
          }),
        );
      }
      this.scheduleDlqAlarm = queueNotEmptyAlarm(this, "schedule-dlq-alarm", {
        queueName: this.scheduleDlq.name,
        alarmName: `${name}-schedule-dlq`,
        description: `A scheduled trailwatch scoring run could not be started; the event is in ${this.scheduleDlq.name}.`,
        ...alarmActions,
      });
    }
  }

  /** The trail key prefix this deployment reads (for documentation and tests). */
  static trailPrefix(props: Pick<ScoringSettings, "keyPrefix" | "layout">): string {
    return trailRootPrefix(props);
  }
}
