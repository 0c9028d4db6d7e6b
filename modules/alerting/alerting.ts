import { Construct } from "constructs";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { severityRank, type Severity } from "../../functions/core/alert/alert";
import { NodeFunction } from "../lambda-function/node-function";
import { queueNotEmptyAlarm } from "../platform/alarms";
import { Platform } from "../platform/platform";
import { policyDocument } from "../platform/policy-document";
import { stateTable } from "../platform/tables";
import { hecTokenStatements, type HecTokenReference } from "./hec-token";

/** Splunk HTTP Event Collector sink: endpoint and a reference to the token (never the token). */
export type HecSinkProps = {
  /** Base URL, e.g. https://splunk.example.com:8088 */
  endpoint: string;
  index?: string;
  /** Default `trailwatch:alert`. */
  sourcetype?: string;
  /** Default `trailwatch`. */
  source?: string;
} & HecTokenReference;

export interface AlertingProps {
  /** Addresses subscribed to the alert topic (each must confirm the subscription mail). */
  emails: string[];
  /** Only alerts at or above this severity are mailed; default all. */
  emailMinSeverity?: Severity;
  /** Mail alerts a retro-hunt found in past logs too (they carry the `retroHunt` attribute); default not. */
  emailRetroHunt?: boolean;
  /** Import every alert into Security Hub (ASFF findings of the account's default product). */
  securityHub?: SecurityHubSinkProps;
  /** Forward every alert to Splunk HEC. */
  hec?: HecSinkProps;
  /** Handler of the forwarder (tests point it elsewhere). */
  forwarderEntry?: string;
}

/** The Security Hub sink: present means on. */
export interface SecurityHubSinkProps {
  /** Only alerts at or above this severity become findings; default all. */
  minSeverity?: Severity;
  /** Handler of the forwarder (tests point it elsewhere). */
  forwarderEntry?: string;
}

/** What the Security Hub sink deploys. */
export interface SecurityHubForwarding {
  queue: SqsQueue;
  /** Messages that failed SECURITYHUB_MAX_RECEIVE_COUNT times (requests Security Hub kept refusing as a whole). */
  redriveDlq: SqsQueue;
  forwarder: NodeFunction;
  mapping: LambdaEventSourceMapping;
  subscription: SnsTopicSubscription;
  /** The account's default product, where findings are imported. */
  productArn: string;
}

/** Attempts before a message moves to the Security Hub queue's DLQ. */
export const SECURITYHUB_MAX_RECEIVE_COUNT = 5;
const SECURITYHUB_FORWARDER_TIMEOUT_SECONDS = 60;

/** Attempts before a message moves to the HEC queue's DLQ. */
export const HEC_MAX_RECEIVE_COUNT = 5;
const FORWARDER_TIMEOUT_SECONDS = 30;

/** What the HEC sink deploys. */
export interface HecForwarding {
  queue: SqsQueue;
  /** Messages that failed HEC_MAX_RECEIVE_COUNT times (retryable errors that never recovered). */
  redriveDlq: SqsQueue;
  /** Alerts HEC rejected for good (4xx): the forwarder puts them here with the reason. */
  rejectedQueue: SqsQueue;
  forwarder: NodeFunction;
  mapping: LambdaEventSourceMapping;
  subscription: SnsTopicSubscription;
}

/** The alert ledger table, as the functions that publish through it need it. */
export interface AlertLedgerRef {
  tableName: string;
  tableArn: string;
}

/**
 * The undeliverable-alerts queue, as the functions that publish alerts need it: an alert SNS refuses
 * for good goes there (with the reason) and the function goes on with the others.
 */
export interface UndeliverableAlertsRef {
  queueUrl: string;
  queueArn: string;
}

/** How long an undeliverable alert is kept for someone to look at and replay (SQS's maximum). */
export const UNDELIVERABLE_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * The statement a publishing function needs to keep undeliverable alerts: `sqs:SendMessage` on that
 * queue only (the queue uses the platform key, which publishing to the topic already needs).
 */
export function undeliverableStatement(ref: UndeliverableAlertsRef) {
  return { sid: "KeepUndeliverableAlerts", actions: ["sqs:SendMessage"], resources: [ref.queueArn] };
}

/**
 * The one alert topic every capability publishes to (KMS-encrypted), its email subscriptions
 * (filtered on the `email` and `severityRank` message attributes set by `SnsAlertSink`) and, when
 * configured, the Splunk HEC forwarder: topic -> SQS (raw delivery, redrive DLQ) -> Lambda -> HEC.
 */
export class Alerting extends Construct {
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly emailSubscriptions: SnsTopicSubscription[];
  readonly hec?: HecForwarding;
  readonly securityHub?: SecurityHubForwarding;
  /**
   * Alerts sent, by alert id (`LedgerAlertSink`): the trail guard and the log analyzer can raise the
   * same alert for one event (the analyzer is the backstop for lost EventBridge deliveries); the
   * second one finds it here and leaves it out. Items expire after 15 days (TTL `expiresAt`).
   */
  readonly ledger: AlertLedgerRef;
  /**
   * Alerts a function could not publish to the topic for good (SNS refused the message, the topic's
   * key or policy): each message is the alert JSON with the reason as attributes. KMS-encrypted, kept
   * 14 days, with a "not empty" alarm; `npm run replay-undeliverable` publishes them again.
   */
  readonly undeliverableQueue: SqsQueue;
  readonly undeliverable: UndeliverableAlertsRef;
  /** Alarms on the undeliverable-alerts queue and the HEC dead-letter queues (they notify the topic, so people hear that alerts are missing). */
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const platform = Platform.of(this);
    const key = platform.kmsKey;
    const topicName = platform.name("alerts");
    // Built from the name so the plan shows it and policies need no reference cycle.
    this.topicArn = platform.arn("sns", topicName);

    this.topic = new SnsTopic(this, "topic", { name: topicName, displayName: "trailwatch alerts", kmsMasterKeyId: key.arn });
    const topicPolicy = policyDocument(this, "topic-policy", [
      {
        sid: "AlarmsAndRulesOfThisAccountPublish",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [this.topicArn],
        conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [platform.account] }],
      },
      {
        sid: "DenyPublishWithoutTls",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["sns:Publish"],
        resources: [this.topicArn],
        conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
    new SnsTopicPolicy(this, "topic-policy-attachment", { arn: this.topic.arn, policy: topicPolicy.json });

    // trailwatch alerts carry `email`/`severityRank` attributes (SnsAlertSink); CloudWatch alarm
    // notifications carry no attributes at all, so a second branch lets them through to people too.
    const alertBranch: Record<string, unknown[]> = { email: ["yes"] };
    if (props.emailMinSeverity && severityRank(props.emailMinSeverity) > 0) {
      alertBranch.severityRank = [{ numeric: [">=", severityRank(props.emailMinSeverity)] }];
    }
    // What a retro-hunt found in last month's logs is no reason to mail (or page) anyone tonight.
    if (!props.emailRetroHunt) alertBranch.retroHunt = [{ exists: false }];
    const emailFilter = { $or: [alertBranch, { rule: [{ exists: false }] }] };
    this.emailSubscriptions = [...new Set(props.emails)].map(
      (address, i) =>
        new SnsTopicSubscription(this, `email-${i}`, {
          topicArn: this.topic.arn,
          protocol: "email",
          endpoint: address,
          filterPolicyScope: "MessageAttributes",
          filterPolicy: JSON.stringify(emailFilter),
        }),
    );

    const ledgerName = platform.name("alert-ledger");
    const ledger = stateTable(this, "ledger", { name: ledgerName, kmsKeyArn: key.arn, pointInTimeRecovery: true });
    this.ledger = { tableName: ledger.name, tableArn: ledger.arn };

    const undeliverableName = platform.name("undeliverable-alerts");
    this.undeliverableQueue = new SqsQueue(this, "undeliverable-alerts", {
      name: undeliverableName,
      kmsMasterKeyId: key.arn,
      messageRetentionSeconds: UNDELIVERABLE_RETENTION_SECONDS,
    });
    // Built from the name, like the topic ARN: the functions' policies then need no reference to the queue resource.
    this.undeliverable = { queueUrl: this.undeliverableQueue.url, queueArn: platform.arn("sqs", undeliverableName) };
    this.alarms.push(
      queueNotEmptyAlarm(this, "undeliverable-alerts-alarm", {
        queueName: undeliverableName,
        alarmName: `${undeliverableName}-not-empty`,
        description: `${undeliverableName} holds alerts trailwatch could not publish to the alert topic (each message says why in its "error" attribute). Fix the cause, then replay them: npm run replay-undeliverable -- --queue <queue url> --topic <alert topic arn>.`,
        alarmActions: [this.topic.arn],
      }),
    );

    if (props.hec) this.hec = this.hecForwarding(platform, props.hec, props.forwarderEntry ?? "functions/handlers/hec-forwarder.ts");
    if (props.securityHub) this.securityHub = this.securityHubForwarding(platform, props.securityHub);
  }

  /** Topic -> SQS (raw delivery, redrive DLQ) -> forwarder Lambda -> Security Hub BatchImportFindings. */
  private securityHubForwarding(platform: Platform, sh: SecurityHubSinkProps): SecurityHubForwarding {
    const key = platform.kmsKey;
    const queueName = platform.name("securityhub-findings");
    const redriveDlq = new SqsQueue(this, "securityhub-dlq", { name: `${queueName}-dlq`, kmsMasterKeyId: key.arn, messageRetentionSeconds: 14 * 24 * 3600 });
    const queue = new SqsQueue(this, "securityhub-queue", {
      name: queueName,
      kmsMasterKeyId: key.arn,
      visibilityTimeoutSeconds: 6 * SECURITYHUB_FORWARDER_TIMEOUT_SECONDS,
      messageRetentionSeconds: 4 * 24 * 3600,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: platform.arn("sqs", `${queueName}-dlq`), maxReceiveCount: SECURITYHUB_MAX_RECEIVE_COUNT }),
      dependsOn: [redriveDlq],
    });
    new SqsQueuePolicy(this, "securityhub-queue-policy-attachment", {
      queueUrl: queue.url,
      policy: policyDocument(this, "securityhub-queue-policy", [
        {
          sid: "AlertTopicDelivers",
          principals: [{ type: "Service", identifiers: ["sns.amazonaws.com"] }],
          actions: ["sqs:SendMessage"],
          resources: [queue.arn],
          conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [this.topicArn] }],
        },
      ]).json,
    });
    // Only trailwatch alerts (they carry a `rule` attribute), at or above the configured severity.
    const filter: Record<string, unknown[]> = { rule: [{ exists: true }] };
    if (sh.minSeverity && severityRank(sh.minSeverity) > 0) filter.severityRank = [{ numeric: [">=", severityRank(sh.minSeverity)] }];
    const subscription = new SnsTopicSubscription(this, "securityhub-subscription", {
      topicArn: this.topic.arn,
      protocol: "sqs",
      endpoint: queue.arn,
      rawMessageDelivery: true,
      filterPolicyScope: "MessageAttributes",
      filterPolicy: JSON.stringify(filter),
    });
    // The default product of this account (a custom integration): findings of this account, in the home region.
    const productArn = `arn:${platform.partition}:securityhub:${platform.region}:${platform.account}:product/${platform.account}/default`;
    const forwarder = new NodeFunction(this, "securityhub-forwarder", {
      entry: sh.forwarderEntry ?? "functions/handlers/securityhub-forwarder.ts",
      name: "securityhub-forwarder",
      description: "Imports alerts from the alert topic's queue into Security Hub as ASFF findings; refused findings go to the undeliverable-alerts queue.",
      timeoutSeconds: SECURITYHUB_FORWARDER_TIMEOUT_SECONDS,
      memoryMb: 256,
      invokedAsynchronously: false,
      environment: { SECURITYHUB_PRODUCT_ARN: productArn, UNDELIVERABLE_QUEUE_URL: this.undeliverable.queueUrl },
      statements: [
        {
          sid: "ConsumeFindingsQueue",
          actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
          resources: [queue.arn],
        },
        { sid: "ImportFindings", actions: ["securityhub:BatchImportFindings"], resources: [productArn] },
        undeliverableStatement(this.undeliverable),
        { sid: "UseQueueKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.arn] },
      ],
    });
    const mapping = new LambdaEventSourceMapping(this, "securityhub-mapping", {
      eventSourceArn: queue.arn,
      functionName: forwarder.function.arn,
      // BatchImportFindings takes 100 findings: collect up to that many for a few seconds.
      batchSize: 100,
      maximumBatchingWindowInSeconds: 5,
      functionResponseTypes: ["ReportBatchItemFailures"],
      // Security Hub's BatchImportFindings quota is a few requests per second per account and region.
      scalingConfig: { maximumConcurrency: 2 },
    });
    this.alarms.push(
      queueNotEmptyAlarm(this, "securityhub-dlq-alarm", {
        queueName: `${queueName}-dlq`,
        alarmName: `${queueName}-dlq-not-empty`,
        description: `${queueName}-dlq holds alerts that could not be imported into Security Hub after retries (Security Hub not enabled in this region, access denied, throttling); fix the cause and redrive them.`,
        alarmActions: [this.topic.arn],
      }),
    );
    return { queue, redriveDlq, forwarder, mapping, subscription, productArn };
  }

  private hecForwarding(platform: Platform, hec: HecSinkProps, entry: string): HecForwarding {
    const key = platform.kmsKey;
    const queueName = platform.name("hec-alerts");
    const redriveDlq = new SqsQueue(this, "hec-dlq", {
      name: `${queueName}-dlq`,
      kmsMasterKeyId: key.arn,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    const queue = new SqsQueue(this, "hec-queue", {
      name: queueName,
      kmsMasterKeyId: key.arn,
      // Six times the function timeout (AWS's advice for SQS event sources): a message is not handed
      // to a second invocation while the first may still be sending it.
      visibilityTimeoutSeconds: 6 * FORWARDER_TIMEOUT_SECONDS,
      messageRetentionSeconds: 4 * 24 * 3600,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: platform.arn("sqs", `${queueName}-dlq`), maxReceiveCount: HEC_MAX_RECEIVE_COUNT }),
      dependsOn: [redriveDlq],
    });
    const rejectedQueue = new SqsQueue(this, "hec-rejected", {
      name: platform.name("hec-rejected"),
      kmsMasterKeyId: key.arn,
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    const queuePolicy = policyDocument(this, "hec-queue-policy", [
      {
        sid: "AlertTopicDelivers",
        principals: [{ type: "Service", identifiers: ["sns.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        resources: [queue.arn],
        conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [this.topicArn] }],
      },
    ]);
    new SqsQueuePolicy(this, "hec-queue-policy-attachment", { queueUrl: queue.url, policy: queuePolicy.json });
    const subscription = new SnsTopicSubscription(this, "hec-subscription", {
      topicArn: this.topic.arn,
      protocol: "sqs",
      endpoint: queue.arn,
      // The queue receives the alert JSON itself (the `sqs` member of the message), not an SNS envelope.
      rawMessageDelivery: true,
      // Only trailwatch alerts (they carry a `rule` attribute); alarm notifications are for email.
      filterPolicyScope: "MessageAttributes",
      filterPolicy: JSON.stringify({ rule: [{ exists: true }] }),
    });

    const tokenEnv: Record<string, string> = hec.tokenSecretArn ? { HEC_TOKEN_SECRET_ARN: hec.tokenSecretArn } : { HEC_TOKEN_PARAMETER_NAME: hec.tokenParameterName! };
    const forwarder = new NodeFunction(this, "hec-forwarder", {
      entry,
      name: "hec-forwarder",
      description: "Forwards alerts from the alert topic's queue to Splunk HEC; permanent rejections go to the rejected queue.",
      timeoutSeconds: FORWARDER_TIMEOUT_SECONDS,
      memoryMb: 256,
      invokedAsynchronously: false,
      environment: {
        HEC_ENDPOINT: hec.endpoint,
        ...tokenEnv,
        ...(hec.index ? { HEC_INDEX: hec.index } : {}),
        HEC_SOURCETYPE: hec.sourcetype ?? "trailwatch:alert",
        HEC_SOURCE: hec.source ?? "trailwatch",
        HEC_DLQ_URL: rejectedQueue.url,
      },
      statements: [
        {
          sid: "ConsumeAlertQueue",
          actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
          resources: [queue.arn],
        },
        { sid: "RejectPermanentFailures", actions: ["sqs:SendMessage"], resources: [rejectedQueue.arn] },
        { sid: "UseQueueKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.arn] },
        ...hecTokenStatements(hec, { partition: platform.partition, region: platform.region, account: platform.account }),
      ],
    });
    const mapping = new LambdaEventSourceMapping(this, "hec-mapping", {
      eventSourceArn: queue.arn,
      functionName: forwarder.function.arn,
      batchSize: 10,
      functionResponseTypes: ["ReportBatchItemFailures"],
      // Splunk is one endpoint: a bounded number of concurrent senders keeps a backlog from hammering it.
      scalingConfig: { maximumConcurrency: 5 },
    });

    for (const [id, q, what] of [
      ["hec-dlq-alarm", redriveDlq, "alerts that could not be delivered to Splunk HEC after retries"],
      ["hec-rejected-alarm", rejectedQueue, "alerts Splunk HEC rejected (bad token, index or payload)"],
    ] as const) {
      this.alarms.push(
        queueNotEmptyAlarm(this, id, {
          queueName: q.nameInput!,
          alarmName: `${q.nameInput}-not-empty`,
          description: `${q.nameInput} holds ${what}; inspect and redrive them.`,
          alarmActions: [this.topic.arn],
        }),
      );
    }
    return { queue, redriveDlq, rejectedQueue, forwarder, mapping, subscription };
  }
}
