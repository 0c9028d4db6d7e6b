import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { undeliverableStatement, type AlertLedgerRef, type UndeliverableAlertsRef } from "../alerting/alerting";
import { NodeFunction } from "../lambda-function";
import { eventCountAlarm, functionErrorsAlarm, Platform, policyDocument, queueNotEmptyAlarm, stateTable } from "../platform";
import { catalog } from "../../functions/core/rules/catalog";
import { logKeyPrefix, parseTopicArn, type LogAnalyzerSettings } from "./config";
import { analyzerEntry, type DeploymentRules } from "../platform/rules-entry";
import { MemberRoleStackSet } from "./member-role";
import { appliedRemediations, logAnalyzerStatements, remediationEnabled, remediatorStatements } from "./policies";

export interface LogAnalyzerProps extends LogAnalyzerSettings {
  /** The one alert topic (from `Alerting`); the function publishes alerts to it. */
  alertTopicArn: string;
  /**
   * Where the alarms (anomalies, DLQ, errors, backlog) notify; default the alert topic. Alarm
   * notifications carry no message attributes, so email subscriptions filtered on them do not
   * receive them: point this at a topic people read when the alert topic's mail is filtered.
   */
  alarmTopicArn?: string;
  /** The alert ledger (from `Alerting`): an alert the trail guard already sent for the same event is left out. */
  alertLedger?: AlertLedgerRef;
  /** The undeliverable-alerts queue (from `Alerting`): an alert the topic refuses for good goes there and the others go on. */
  undeliverableAlerts?: UndeliverableAlertsRef;
  /**
   * The deployment's `rules` (tuning and rules of your own, validated by the config): the analyzer
   * is then bundled from an entry that embeds them (`analyzerEntry`); default: the catalog as it is.
   */
  rules?: DeploymentRules;
}

/** Every way S3 creates an object: CloudTrail writes large log files with multipart upload. */
export const OBJECT_CREATED_EVENTS = ["s3:ObjectCreated:*"] as const;
/** CloudTrail log files (and digest files, which the handler skips) end in this. */
export const LOG_FILE_SUFFIX = ".json.gz";
/** Metric the handler emits (Powertools, EMF) per finding, with and without a `rule` dimension. */
export const ANOMALY_METRIC = { namespace: "trailwatch", metricName: "AnomaliesDetected", service: "log-analyzer" } as const;
/** Lambda caps the environment at 4 KB; rule settings are the part that can grow. */
const MAX_ENVIRONMENT_BYTES = 4096;
/** Name (after the prefix) of the EventBridge rule of `source: "eventbridge"`. */
const OBJECT_CREATED_RULE = "log-analyzer-new-log-files";
/** Receives before a notification goes to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/** The remediator's timeout: a remediation is a few API calls, each retried a few times. */
export const REMEDIATOR_TIMEOUT_SECONDS = 60;

/**
 * Reads every new CloudTrail log file once and runs it through the rule catalog.
 *
 * S3 (or the trail's SNS topic) announces each new log file to an encrypted SQS queue; the
 * log-analyzer function consumes it in batches and reports per-message failures, so one bad file is
 * retried alone and, after five receives, parked in the DLQ. A DynamoDB table remembers processed
 * files (S3 delivers notifications at least once). Findings become alerts on the alert topic and an
 * `AnomaliesDetected` metric, which an alarm watches. Remediations (opt-in per rule, dry-run or apply)
 * run in a separate remediator function that the analyzer invokes synchronously: the function that
 * parses attacker-influenced log content holds no remediation write permission.
 */
export class LogAnalyzer extends Construct {
  readonly queue: SqsQueue;
  readonly dlq: SqsQueue;
  /** Key of both queues: the platform key, or a key of its own when the notification source is another account's. */
  readonly queueKeyArn: string;
  /** Present only when the source is in another account. */
  readonly intakeKey?: KmsKey;
  readonly table: DynamodbTable;
  /**
   * Present when a remediation is `apply`: the remediation ledger, by event id, so an event is
   * remediated once whichever log object (or redelivery) brings it. Only the remediator may use it.
   */
  readonly ledgerTable?: DynamodbTable;
  readonly analyzer: NodeFunction;
  /**
   * Present when a rule's remediation is not off: the function that holds the remediation write
   * permissions, invoked synchronously by the analyzer for those rules' findings only.
   */
  readonly remediator?: NodeFunction;
  /**
   * Present with `remediationMemberRole` and a remediation in `apply`: the stack set that puts the
   * member role in the Organization's accounts.
   */
  readonly memberRole?: MemberRoleStackSet;
  readonly eventSource: LambdaEventSourceMapping;
  readonly bucketNotification?: S3BucketNotification;
  readonly subscription?: SnsTopicSubscription;
  /** `source: "eventbridge"`: the rule on the default bus for the bucket's "Object Created" events. */
  readonly objectCreatedRule?: CloudwatchEventRule;
  readonly anomalyAlarm: CloudwatchMetricAlarm;
  readonly dlqAlarm: CloudwatchMetricAlarm;
  readonly errorsAlarm: CloudwatchMetricAlarm;
  readonly backlogAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: LogAnalyzerProps) {
    super(scope, id);
    const platform = Platform.of(this);
    const source = this.describeSource(props, platform);

    if (source.account !== platform.account) {
      this.intakeKey = this.createIntakeKey(platform, source);
      this.queueKeyArn = this.intakeKey.arn;
    } else {
      this.queueKeyArn = platform.kmsKey.arn;
    }

    this.dlq = new SqsQueue(this, "dlq", {
      name: platform.name("log-analyzer-dlq"),
      kmsMasterKeyId: this.queueKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    // Lambda's guidance: at least six times the function timeout, plus the batching window, so a
    // message is not received again while a slow (or throttled and retried) invocation still holds it.
    const visibilityTimeout = 6 * props.timeoutSeconds + props.maxBatchingWindowSeconds;
    this.queue = new SqsQueue(this, "queue", {
      name: platform.name("log-analyzer"),
      kmsMasterKeyId: this.queueKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      visibilityTimeoutSeconds: visibilityTimeout,
      messageRetentionSeconds: 4 * 24 * 3600,
      receiveWaitTimeSeconds: 20,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    });
    const queuePolicy = new SqsQueuePolicy(this, "queue-policy", {
      queueUrl: this.queue.url,
      policy: policyDocument(this, "queue-policy-document", [
        {
          sid: { s3: "TrailBucketAnnouncesNewLogFiles", sns: "TrailTopicAnnouncesNewLogFiles", eventbridge: "BucketEventsRuleAnnouncesNewLogFiles" }[source.kind],
          principals: [{ type: "Service", identifiers: [source.principal] }],
          actions: ["sqs:SendMessage"],
          resources: [this.queue.arn],
          conditions: [
            { test: "ArnEquals", variable: "aws:SourceArn", values: [source.arn] },
            { test: "StringEquals", variable: "aws:SourceAccount", values: [source.account] },
          ],
        },
      ]).json,
    });

    this.table = stateTable(this, "idempotency", { name: platform.name("log-analyzer-idempotency"), kmsKeyArn: platform.kmsKey.arn, pointInTimeRecovery: true });

    if (remediationEnabled(props)) {
      // The analyzer's role ARN built from the name NodeFunction gives roles (the function's name,
      // same region): the analyzer is built after the remediator. NodeFunction sets the remediator's
      // own FUNCTION_ROLE_ARN.
      const roleArn = (fn: string) => `arn:${platform.partition}:iam::${platform.account}:role/${platform.name(fn)}`;
      if (appliedRemediations(props).length > 0) {
        // Separate from the idempotency table: only the remediator (not the analyzer, which parses
        // attacker-influenced content) can write or clear who-remediated-what.
        this.ledgerTable = stateTable(this, "remediation-ledger", { name: platform.name("remediation-ledger"), kmsKeyArn: platform.kmsKey.arn, pointInTimeRecovery: true });
      }
      const remediatorEnv: Record<string, string> = {
        REMEDIATION: JSON.stringify(props.remediation),
        // The remediator re-checks a finding with the rule's settings as the analyzer resolved them.
        RULE_SETTINGS: JSON.stringify(remediableSettings(props.rules)),
        // Events made by the analyzer's role are never remediated either (no remediation loops).
        TRIGGER_ROLE_ARNS: roleArn("log-analyzer"),
        ...(props.remediationMemberRole ? { MEMBER_ROLE_NAME: props.remediationMemberRole.name } : {}),
        ...(props.remediationMemberRole?.externalId ? { MEMBER_ROLE_EXTERNAL_ID: props.remediationMemberRole.externalId } : {}),
        ...(this.ledgerTable ? { REMEDIATION_LEDGER_TABLE: this.ledgerTable.name } : {}),
        MAX_EVENT_AGE_MINUTES: String(props.remediationSafety.maxEventAgeMinutes),
        // trailwatch's own roles in this account are never changed, besides the configured targets.
        PROTECTED_TARGETS: JSON.stringify([...props.remediationSafety.protectedTargets, `arn:${platform.partition}:iam::${platform.account}:role/${platform.namePrefix}-*`]),
      };
      checkEnvironmentSize(remediatorEnv);
      this.remediator = new NodeFunction(this, "remediator", {
        entry: "functions/handlers/remediator.ts",
        name: "remediator",
        description: "Runs the opt-in remediation of a log-analyzer finding; invoked synchronously by the log analyzer only.",
        environment: remediatorEnv,
        timeoutSeconds: REMEDIATOR_TIMEOUT_SECONDS,
        // Invoked synchronously (RequestResponse): the analyzer gets every failure as the answer.
        invokedAsynchronously: false,
        statements: remediatorStatements(props, {
          partition: platform.partition,
          account: platform.account,
          ...(this.ledgerTable ? { ledgerTableArn: this.ledgerTable.arn, platformKeyArn: platform.kmsKey.arn } : {}),
        }),
      });
      // Dry-run verifies member accounts' events too (LookupEvents there): the role is deployed
      // whenever a remediation is on; its write actions are those of the remediations in apply.
      if (props.remediationMemberRole) {
        if (!props.managementAccountId) {
          throw new Error("logAnalyzer.remediationMemberRole needs managementAccountId (the top-level organization.managementAccount): the stack set is created as it or as a delegated administrator");
        }
        this.memberRole = new MemberRoleStackSet(this, "member-role", {
          settings: props,
          role: props.remediationMemberRole,
          remediatorRoleArn: roleArn("remediator"),
          managementAccountId: props.managementAccountId,
          dependsOn: [this.remediator.role],
        });
      }
    }

    const environment: Record<string, string> = {
      ALERT_TOPIC_ARN: props.alertTopicArn,
      IDEMPOTENCY_TABLE: this.table.name,
      IDEMPOTENCY_TTL_DAYS: String(props.idempotencyTtlDays),
      REMEDIATION: JSON.stringify(props.remediation),
      ...(this.remediator ? { REMEDIATOR_FUNCTION: this.remediator.functionName } : {}),
      ...(props.alertLedger ? { ALERT_LEDGER_TABLE: props.alertLedger.tableName } : {}),
      ...(props.undeliverableAlerts ? { UNDELIVERABLE_QUEUE_URL: props.undeliverableAlerts.queueUrl } : {}),
    };
    checkEnvironmentSize(environment);

    this.analyzer = new NodeFunction(this, "analyzer", {
      // "functions/handlers/log-analyzer.ts", or the entry that embeds the deployment's rules.
      entry: analyzerEntry(props.rules),
      name: "log-analyzer",
      description: "Runs every new CloudTrail log file through the rule catalog; alerts, metrics and opt-in remediation.",
      environment,
      timeoutSeconds: props.timeoutSeconds,
      memoryMb: props.memoryMb,
      // Invoked by the SQS event source mapping, not asynchronously: failures stay in the queue and
      // end in the queue's DLQ.
      invokedAsynchronously: false,
      statements: [
        ...logAnalyzerStatements(props, {
          partition: platform.partition,
          account: platform.account,
          alertTopicArn: props.alertTopicArn,
          platformKeyArn: platform.kmsKey.arn,
          intakeKeyArn: this.intakeKey?.arn,
          queueArn: this.queue.arn,
          tableArn: this.table.arn,
          remediatorArn: this.remediator?.function.arn,
          ledgerTableArn: props.alertLedger?.tableArn,
        }),
        ...(props.undeliverableAlerts ? [undeliverableStatement(props.undeliverableAlerts)] : []),
      ],
    });

    this.eventSource = new LambdaEventSourceMapping(this, "queue-events", {
      eventSourceArn: this.queue.arn,
      functionName: this.analyzer.function.functionName,
      batchSize: props.batchSize,
      maximumBatchingWindowInSeconds: props.maxBatchingWindowSeconds,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: props.maxConcurrency ? { maximumConcurrency: props.maxConcurrency } : undefined,
    });

    if (props.notification.source === "s3") {
      if (props.notification.manageBucketNotification) {
        // S3 checks at PutBucketNotificationConfiguration that it may send to the queue.
        this.bucketNotification = new S3BucketNotification(this, "bucket-notification", {
          bucket: props.bucketName,
          queue: [
            {
              id: "trailwatch-log-analyzer",
              queueArn: this.queue.arn,
              events: [...OBJECT_CREATED_EVENTS],
              filterPrefix: logKeyPrefix(props),
              filterSuffix: LOG_FILE_SUFFIX,
            },
          ],
          dependsOn: [queuePolicy],
        });
      }
    } else if (props.notification.source === "eventbridge") {
      this.objectCreatedRule = this.objectCreatedEvents(props, platform, source.arn);
    } else {
      this.subscription = new SnsTopicSubscription(this, "trail-topic-subscription", {
        topicArn: props.notification.topicArn,
        protocol: "sqs",
        endpoint: this.queue.arn,
        // The body is then CloudTrail's own `{ s3Bucket, s3ObjectKey: [...] }`, not an SNS envelope.
        rawMessageDelivery: true,
        dependsOn: [queuePolicy],
      });
    }

    const alarmTopic = props.alarmTopicArn ?? props.alertTopicArn;
    const actions = { alarmActions: [alarmTopic], okActions: [alarmTopic] };
    const logGroup = `/aws/lambda/${this.analyzer.functionName}`;
    this.anomalyAlarm = eventCountAlarm(this, "anomalies-alarm", {
      alarmName: platform.name("log-analyzer-anomalies"),
      description:
        "The trailwatch log analyzer found rule matches in new CloudTrail log files. The details (rule, principal, " +
        "action, account, region, time) are in the alert emails and in Splunk (sourcetype trailwatch:alert); " +
        `counts per rule: metric ${ANOMALY_METRIC.namespace}/${ANOMALY_METRIC.metricName} with dimension "rule"; ` +
        `processing logs: log group ${logGroup}.`,
      namespace: ANOMALY_METRIC.namespace,
      metricName: ANOMALY_METRIC.metricName,
      dimensions: { service: ANOMALY_METRIC.service },
      ...actions,
    });
    this.dlqAlarm = queueNotEmptyAlarm(this, "dlq-alarm", {
      queueName: this.dlq.name,
      alarmName: platform.name("log-analyzer-dlq"),
      description:
        `Log-file notifications failed ${MAX_RECEIVE_COUNT} times and are parked in ${platform.name("log-analyzer-dlq")}: ` +
        `those log files were NOT analysed. Read the error in log group ${logGroup}, fix it, then re-drive the DLQ to the queue.`,
      ...actions,
    });
    this.errorsAlarm = functionErrorsAlarm(this, "errors-alarm", {
      functionName: this.analyzer.functionName,
      alarmName: platform.name("log-analyzer-errors"),
      description: `The log-analyzer function failed invocations (the batch is retried from the queue). See its log group ${logGroup}.`,
      ...actions,
    });
    this.backlogAlarm = this.alarm("backlog", {
      alarmDescription:
        "The oldest log-file notification has waited over an hour: the analyzer is falling behind (throttled, failing or " +
        "capped by maxConcurrency), so alerts are late.",
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: this.queue.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 3,
      threshold: 3600,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...actions,
    });
  }

  private alarm(id: string, config: Omit<CloudwatchMetricAlarmConfig, "alarmName">): CloudwatchMetricAlarm {
    return new CloudwatchMetricAlarm(this, `${id}-alarm`, { alarmName: Platform.of(this).name(`log-analyzer-${id}`), ...config });
  }

  /**
   * `source: "eventbridge"`: a rule on the default bus for "Object Created" events of the trail
   * bucket under the log prefix, targeting the queue. Events EventBridge cannot deliver after its
   * retries go to the DLQ (the handler reads them when re-driven), whose alarm already exists.
   */
  private objectCreatedEvents(props: LogAnalyzerProps, platform: Platform, ruleArn: string): CloudwatchEventRule {
    const rule = new CloudwatchEventRule(this, "object-created-rule", {
      name: platform.name(OBJECT_CREATED_RULE),
      description: `New CloudTrail log files in s3://${props.bucketName}/${logKeyPrefix(props)} (S3 "Object Created" events) to the log analyzer`,
      eventPattern: JSON.stringify({
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [props.bucketName] }, object: { key: [{ prefix: logKeyPrefix(props) }] } },
      }),
    });
    const dlqPolicy = new SqsQueuePolicy(this, "dlq-policy", {
      queueUrl: this.dlq.url,
      policy: policyDocument(this, "dlq-policy-document", [
        {
          sid: "UndeliverableBucketEvents",
          principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
          actions: ["sqs:SendMessage"],
          resources: [this.dlq.arn],
          conditions: [
            { test: "ArnEquals", variable: "aws:SourceArn", values: [ruleArn] },
            { test: "StringEquals", variable: "aws:SourceAccount", values: [platform.account] },
          ],
        },
      ]).json,
    });
    new CloudwatchEventTarget(this, "object-created-target", {
      rule: rule.name,
      targetId: "log-analyzer-queue",
      arn: this.queue.arn,
      deadLetterConfig: { arn: this.dlq.arn },
      retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
      dependsOn: [dlqPolicy],
    });
    return rule;
  }

  /** Who sends notifications to the queue: service principal, source ARN and owning account. */
  private describeSource(props: LogAnalyzerProps, platform: Platform) {
    if (props.notification.source === "s3") {
      const account = props.notification.bucketOwnerAccountId ?? platform.account;
      if (props.notification.manageBucketNotification && account !== platform.account) {
        throw new Error(
          `logAnalyzer.notification: bucket ${props.bucketName} belongs to account ${account}; this deployment (${platform.account}) cannot ` +
            "set its notifications. Set manageBucketNotification: false and have the bucket owner send s3:ObjectCreated:* to the queue.",
        );
      }
      return { kind: "s3" as const, principal: "s3.amazonaws.com", arn: `arn:${platform.partition}:s3:::${props.bucketName}`, account };
    }
    if (props.notification.source === "eventbridge") {
      // S3 sends a bucket's events to the default bus of its own account and region only.
      const rule = platform.arn("events", `rule/${platform.name(OBJECT_CREATED_RULE)}`);
      return { kind: "eventbridge" as const, principal: "events.amazonaws.com", arn: rule, account: platform.account };
    }
    const topic = parseTopicArn(props.notification.topicArn);
    if (topic.region !== platform.region) {
      throw new Error(
        `logAnalyzer.notification.topicArn is in ${topic.region}, the deployment in ${platform.region}: subscribe a queue in the topic's region, or use source "s3".`,
      );
    }
    return { kind: "sns" as const, principal: "sns.amazonaws.com", arn: props.notification.topicArn, account: topic.account };
  }

  /**
   * A key for the queues when the notifications come from another account: the platform key lets
   * AWS services use it only on behalf of this account, and widening that key for one source is
   * broader than a key this source alone may use.
   */
  private createIntakeKey(platform: Platform, source: { principal: string; arn: string; account: string }): KmsKey {
    const policy = policyDocument(this, "intake-key-policy", [
      {
        sid: "AccountAdministersKeyThroughIam",
        principals: [{ type: "AWS", identifiers: [`arn:${platform.partition}:iam::${platform.account}:root`] }],
        actions: ["kms:*"],
        resources: ["*"],
      },
      {
        sid: "NotificationSourceEncryptsMessages",
        principals: [{ type: "Service", identifiers: [source.principal] }],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [source.account] },
          { test: "ArnEquals", variable: "aws:SourceArn", values: [source.arn] },
        ],
      },
    ]);
    const key = new KmsKey(this, "intake-key", {
      description: `trailwatch ${platform.namePrefix}: log-analyzer queues fed by ${source.arn}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policy.json,
    });
    new KmsAlias(this, "intake-key-alias", { name: `alias/${platform.name("log-analyzer-intake")}`, targetKeyId: key.keyId });
    return key;
  }
}

/** Settings of the catalog rules that have a remediation, as the deployment resolved them. */
function remediableSettings(rules: DeploymentRules | undefined): Record<string, unknown> {
  const remediable = new Set(catalog.filter((r) => r.remediation).map((r) => r.id));
  return Object.fromEntries(Object.entries(rules?.catalogSettings ?? {}).filter(([id]) => remediable.has(id)));
}

/** Lambda caps a function's environment at 4 KB; rule settings are the part that can grow. */
function checkEnvironmentSize(environment: Record<string, string>): void {
  const envBytes = Object.entries(environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (envBytes > MAX_ENVIRONMENT_BYTES - 512) {
    throw new Error(
      `logAnalyzer: the function environment would be ${envBytes} bytes (Lambda allows ${MAX_ENVIRONMENT_BYTES} in all); shorten the settings of the rules with a remediation (rules.<id>.settings, rules.shared).`,
    );
  }
}
