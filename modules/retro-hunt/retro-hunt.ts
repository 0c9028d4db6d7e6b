import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { HUNTS_PREFIX } from "../../functions/core/hunt/hunt-keys";
import { retroHuntDefinition } from "./definition";
import { undeliverableStatement, type UndeliverableAlertsRef } from "../alerting/alerting";
import { NodeFunction } from "../lambda-function";
import { ABORT_INCOMPLETE_UPLOADS, eventCountAlarm, Platform, policyDocument, recomputableBucket } from "../platform";
import { LOG_DELIVERY_ACTIONS } from "../scoring/policies";
import type { RetroHuntSettings } from "./config";
import { huntScanEntry, type DeploymentRules } from "../platform/rules-entry";
import { planStatements, scanStatements, stateMachineStatements, summarizeStatements, type RetroHuntPolicyContext } from "./policies";

export interface RetroHuntProps extends RetroHuntSettings {
  /** The alert topic (from `Alerting`): the alarms notify it, and hunts publish there when `publishAlerts` is on. */
  alertTopicArn: string;
  /** The undeliverable-alerts queue (from `Alerting`): a hunt alert the topic refuses for good goes there. */
  undeliverableAlerts?: UndeliverableAlertsRef;
  /**
   * The deployment's tuning and own rules (the config's `rules`): the scan function is then bundled
   * from an entry that embeds them, as the log analyzer is, and a hunt may name the own rules.
   */
  rules?: DeploymentRules;
}

/** Seconds each function may run; the state machine's task timeouts match them. */
const PLAN_TIMEOUT = 900;
const SCAN_TIMEOUT = 900;
const SUMMARIZE_TIMEOUT = 900;

/**
 * Retro-hunt: runs the rule catalog over a window of CloudTrail history in the trail bucket, on
 * Step Functions Distributed Map. An execution takes a window, accounts, regions and rule ids; the
 * plan function lists the window's day folders into a manifest, the map hands batches of keys to the
 * scan function (the same scan core as `trailwatch scan`) with bounded concurrency and a tolerated
 * share of failures, and the summarize function writes the alerts (JSON Lines) and a summary to the
 * module's results bucket, and optionally publishes the alerts marked retro-hunt.
 *
 * Deploys the three functions, a Standard state machine that may invoke exactly those and start its
 * own child executions, a KMS-encrypted results bucket whose `hunts/` expire, a log group, and
 * alarms on failed and timed-out executions. Idle, it costs nothing but the KMS-encrypted log
 * group's storage (none without executions).
 */
export class RetroHunt extends Construct {
  readonly resultsBucket: S3Bucket;
  readonly plan: NodeFunction;
  readonly scan: NodeFunction;
  readonly summarize: NodeFunction;
  readonly stateMachine: SfnStateMachine;
  /** `arn:<partition>:states:<region>:<account>:stateMachine:<prefix>-retro-hunt` (built from the name: no reference cycle in its own policy). */
  readonly stateMachineArn: string;
  readonly stateMachineRole: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: RetroHuntProps) {
    super(scope, id);
    const platform = Platform.of(this);
    const key = platform.kmsKey;
    const name = platform.name("retro-hunt");
    const resultsBucketName = `${platform.namePrefix}-retro-hunt-${platform.account}-${platform.region}`.slice(0, 63);

    // Manifests, map results, alerts and summaries, all recomputable from the logs.
    this.resultsBucket = recomputableBucket(this, "results", {
      bucket: resultsBucketName,
      kmsKeyArn: key.arn,
      lifecycle: [
        { id: "expire-hunts", status: "Enabled", filter: [{ prefix: HUNTS_PREFIX }], expiration: [{ days: props.resultRetentionDays }] },
        ABORT_INCOMPLETE_UPLOADS,
      ],
    });

    const ctx: RetroHuntPolicyContext = { partition: platform.partition, resultsBucketArn: this.resultsBucket.arn, platformKeyArn: key.arn };
    const trail = {
      TRAIL_BUCKET: props.bucketName,
      LOG_PREFIX: props.keyPrefix,
      ...(props.layout.type === "organization" ? { ORGANIZATION_ID: props.layout.organizationId } : {}),
      RESULTS_BUCKET: this.resultsBucket.bucket,
    };
    this.plan = new NodeFunction(this, "plan", {
      entry: "functions/handlers/retro-hunt/plan.ts",
      name: "retro-hunt-plan",
      description: "trailwatch retro-hunt: validates a hunt and lists its window's CloudTrail log files into a manifest.",
      environment: {
        ...trail, MAX_WINDOW_DAYS: String(props.maxWindowDays), PUBLISH_ALLOWED: String(props.publishAlerts),
        ...(props.rules?.ownRuleIds.length ? { OWN_RULE_IDS: JSON.stringify(props.rules.ownRuleIds) } : {}),
        ...(props.rules?.disabled.length ? { DISABLED_RULE_IDS: JSON.stringify(props.rules.disabled) } : {}),
      },
      timeoutSeconds: PLAN_TIMEOUT,
      memoryMb: 1024,
      invokedAsynchronously: false,
      statements: planStatements(props, ctx),
    });
    this.scan = new NodeFunction(this, "scan", {
      entry: huntScanEntry(props.rules),
      name: "retro-hunt-scan",
      description: "trailwatch retro-hunt: runs the rule catalog over one batch of CloudTrail log files.",
      environment: { ...trail, RULE_SETTINGS: JSON.stringify(props.ruleSettings), READ_CONCURRENCY: String(props.readConcurrency) },
      timeoutSeconds: SCAN_TIMEOUT,
      memoryMb: props.scanMemoryMb,
      invokedAsynchronously: false,
      statements: scanStatements(props, ctx),
    });
    const publishing = props.publishAlerts;
    this.summarize = new NodeFunction(this, "summarize", {
      entry: "functions/handlers/retro-hunt/summarize.ts",
      name: "retro-hunt-summarize",
      description: "trailwatch retro-hunt: merges the batches' alerts and writes the hunt's alerts and summary.",
      environment: {
        RESULTS_BUCKET: this.resultsBucket.bucket,
        ...(publishing ? { ALERT_TOPIC_ARN: props.alertTopicArn } : {}),
        ...(publishing && props.undeliverableAlerts ? { UNDELIVERABLE_QUEUE_URL: props.undeliverableAlerts.queueUrl } : {}),
      },
      timeoutSeconds: SUMMARIZE_TIMEOUT,
      memoryMb: 2048,
      invokedAsynchronously: false,
      statements: [
        ...summarizeStatements(props, { ...ctx, alertTopicArn: props.alertTopicArn }),
        ...(publishing && props.undeliverableAlerts ? [undeliverableStatement(props.undeliverableAlerts)] : []),
      ],
    });

    // The /aws/vendedlogs/ prefix keeps log delivery from growing the account's log resource policy.
    this.logGroup = new CloudwatchLogGroup(this, "logs", { name: `/aws/vendedlogs/states/${name}`, retentionInDays: platform.logRetentionDays, kmsKeyId: key.arn });
    this.stateMachineArn = platform.arn("states", `stateMachine:${name}`);
    this.stateMachineRole = new IamRole(this, "role", {
      name: `${name}-state-machine`.slice(0, 64),
      description: "Runs the trailwatch retro-hunt state machine: its three functions, its own batch executions, its results bucket",
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
        ...stateMachineStatements({
          ...ctx,
          functionArns: [this.plan.function.arn, this.scan.function.arn, this.summarize.function.arn],
          stateMachineArn: this.stateMachineArn,
          executionsArn: platform.arn("states", `execution:${name}/*`),
        }),
        { sid: "DeliverExecutionLogs", actions: [...LOG_DELIVERY_ACTIONS], resources: ["*"] },
      ]).json,
    });
    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      name,
      type: "STANDARD",
      roleArn: this.stateMachineRole.arn,
      definition: JSON.stringify(
        retroHuntDefinition({
          planFunctionArn: this.plan.function.arn,
          scanFunctionArn: this.scan.function.arn,
          summarizeFunctionArn: this.summarize.function.arn,
          resultsBucket: this.resultsBucket.bucket,
          maxConcurrency: props.maxConcurrency,
          itemsPerBatch: props.itemsPerBatch,
          toleratedFailurePercentage: props.toleratedFailurePercentage,
          planTimeoutSeconds: PLAN_TIMEOUT,
          scanTimeoutSeconds: SCAN_TIMEOUT,
          summarizeTimeoutSeconds: SUMMARIZE_TIMEOUT,
          executionTimeoutSeconds: props.executionTimeoutHours * 3600,
        }),
      ),
      loggingConfiguration: { logDestination: `${this.logGroup.arn}:*`, level: props.logLevel, includeExecutionData: props.logLevel === "ALL" },
      dependsOn: [rolePolicy],
    });

    const alarm = (metricName: "ExecutionsFailed" | "ExecutionsTimedOut", what: string) =>
      eventCountAlarm(this, metricName === "ExecutionsFailed" ? "failed" : "timed-out", {
        alarmName: `${name}-${metricName === "ExecutionsFailed" ? "executions-failed" : "executions-timed-out"}`,
        description: `A trailwatch retro-hunt execution ${what}: its results are incomplete. Executions: state machine ${name}; summary: s3://${resultsBucketName}/hunts/<execution name>/summary.json; logs: /aws/vendedlogs/states/${name}.`,
        namespace: "AWS/States",
        metricName,
        dimensions: { StateMachineArn: this.stateMachine.arn },
        alarmActions: [props.alertTopicArn],
        okActions: [props.alertTopicArn],
      });
    this.alarms.push(alarm("ExecutionsFailed", "failed (invalid input, more failed batches than tolerated, or a step that could not run)"), alarm("ExecutionsTimedOut", "timed out"));
  }
}
