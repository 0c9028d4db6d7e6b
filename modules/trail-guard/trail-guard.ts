import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { dnsSuffixOf } from "../../functions/core/aws/partition";
import { NodeFunction } from "../lambda-function";
import { functionErrorsAlarm, Platform, policyDocument, queueNotEmptyAlarm, stateTable } from "../platform";
import type { TrailGuardSettings } from "./config";
import { undeliverableStatement, type AlertLedgerRef, type UndeliverableAlertsRef } from "../alerting/alerting";
import { guardPatterns, type GuardPattern } from "./patterns";
import { heartbeatStatements, trailGuardStatements } from "./policies";
import { regionalProvider } from "./regional-provider";

export interface TrailGuardProps extends TrailGuardSettings {
  /** The one alert topic (from `Alerting`); the functions publish alerts to it. */
  alertTopicArn: string;
  /**
   * Where the operational alarms (DLQs, errors) notify; default the alert topic. Alarm notifications
   * carry no message attributes, so email subscriptions filtered on them do not receive them: point
   * this at a topic people read when the alert topic's mail is filtered.
   */
  alarmTopicArn?: string;
  /**
   * Aliased AWS providers per watched region other than the home region. A region missing here
   * gets an existing aliased provider of that region from the stack, or a new one (see `regionalProvider`).
   */
  regionProviders?: Record<string, TerraformProvider>;
  /** The alert ledger (from `Alerting`): the log analyzer leaves out an alert the guard already sent for the same event. */
  alertLedger?: AlertLedgerRef;
  /** The undeliverable-alerts queue (from `Alerting`): an alert the topic refuses for good goes there and the others go on. */
  undeliverableAlerts?: UndeliverableAlertsRef;
}

/**
 * `HEARTBEAT_PERIOD_MINUTES` for a `rate(...)` schedule of at most an hour: the heartbeat uses it to
 * mark a persistent condition for email once an hour rather than every run (its default is 15).
 */
export function heartbeatPeriodEnv(schedule: string): { HEARTBEAT_PERIOD_MINUTES?: string } {
  const m = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(schedule);
  if (!m) return {};
  const minutes = Number(m[1]) * (m[2]!.startsWith("hour") ? 60 : 1);
  return minutes >= 1 && minutes <= 60 ? { HEARTBEAT_PERIOD_MINUTES: String(minutes) } : {};
}

/** The resources of one watched region that forwards to the home region. */
export interface ForwardingRegion {
  region: string;
  rules: CloudwatchEventRule[];
  targets: CloudwatchEventTarget[];
  /**
   * Events this region's rules could not put on the home bus (EventBridge's retries exhausted, the
   * role's permission missing): KMS-encrypted with the region's platform key, kept 14 days, one
   * per region because a target's DLQ must be in the rule's region. The log analyzer still reports
   * the calls from the log files; this queue keeps the events to read and replay.
   */
  dlq: SqsQueue;
}

/**
 * Watches CloudTrail itself: alerts when a trail is stopped, deleted or changed, when its bucket or
 * key is tampered with, or when an account leaves the Organization; restarts a stopped protected
 * trail when remediation is `apply`; and checks on a schedule that the protected trails still log
 * and deliver.
 *
 * EventBridge rules only see API calls made in their own region, so every watched region gets the
 * same rules: in the home region they invoke the trail-guard function, in every other region they
 * forward the matching events to the home region's default event bus (where the home rules match
 * them again, with their original `region`).
 */
export class TrailGuard extends Construct {
  readonly homeRegion: string;
  /** Home region first, then the other watched regions in config order. */
  readonly watchedRegions: string[];
  readonly guard: NodeFunction;
  readonly heartbeat: NodeFunction;
  /** The heartbeat's record of alerts already sent today, so a lasting condition is mailed once a day. */
  readonly heartbeatState: DynamodbTable;
  /** Rules in the home region that invoke the trail-guard function, one per pattern. */
  readonly homeRules: CloudwatchEventRule[];
  readonly heartbeatRule: CloudwatchEventRule;
  /** Events EventBridge could not deliver to either function (after its retries). */
  readonly deliveryDlq: SqsQueue;
  /** Role EventBridge assumes in the other regions to put events on the home bus (absent when only the home region is watched). */
  readonly forwarderRole?: IamRole;
  readonly forwarding: ForwardingRegion[];
  /** DLQ depth and function error alarms; they notify `alarmTopicArn` (default: the alert topic). */
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly alarmTopicArn: string;

  constructor(scope: Construct, id: string, props: TrailGuardProps) {
    super(scope, id);
    const platform = Platform.of(this);
    this.alarmTopicArn = props.alarmTopicArn ?? props.alertTopicArn;
    this.homeRegion = platform.region;
    this.watchedRegions = [this.homeRegion, ...props.regions.filter((r) => r !== this.homeRegion)];
    const policyCtx = { alertTopicArn: props.alertTopicArn, platformKeyArn: platform.kmsKey.arn };
    const patterns = guardPatterns(props);
    const protectedTrails = JSON.stringify(props.protectedTrails);

    this.guard = new NodeFunction(this, "guard", {
      entry: "functions/handlers/trail-guard.ts",
      name: "trail-guard",
      description: "Alerts on CloudTrail, trail bucket and trail key tampering; restarts protected trails when remediation is apply.",
      environment: {
        ALERT_TOPIC_ARN: props.alertTopicArn,
        PROTECTED_TRAILS: protectedTrails,
        REMEDIATION: JSON.stringify(props.remediation),
        MAX_EVENT_AGE_MINUTES: String(props.remediationSafety.maxEventAgeMinutes),
        ...(props.trailBucketName ? { TRAIL_BUCKET_NAME: props.trailBucketName } : {}),
        ...(props.trailKmsKeyArn ? { TRAIL_KMS_KEY_ARN: props.trailKmsKeyArn } : {}),
        ...(props.alertLedger ? { ALERT_LEDGER_TABLE: props.alertLedger.tableName } : {}),
        ...(props.undeliverableAlerts ? { UNDELIVERABLE_QUEUE_URL: props.undeliverableAlerts.queueUrl } : {}),
      },
      timeoutSeconds: 30,
      memoryMb: 256,
      statements: [
        ...trailGuardStatements(props, { ...policyCtx, ledgerTableArn: props.alertLedger?.tableArn }),
        ...(props.undeliverableAlerts ? [undeliverableStatement(props.undeliverableAlerts)] : []),
      ],
      invokedAsynchronously: true,
    });

    this.heartbeatState = stateTable(this, "heartbeat-state", { name: platform.name("trail-heartbeat-state"), kmsKeyArn: platform.kmsKey.arn });
    // The forwarding DLQs of the other regions (created below, names fixed): no CloudWatch alarm can
    // report them to the home region's topic, so the heartbeat reads their depth.
    const forwardDlqName = platform.name("trail-guard-forward-dlq");
    const forwardDlqs = this.watchedRegions.slice(1).map((region) => ({
      url: `https://sqs.${region}.${dnsSuffixOf(platform.partition)}/${platform.account}/${forwardDlqName}`,
      arn: platform.arn("sqs", forwardDlqName, region),
    }));
    this.heartbeat = new NodeFunction(this, "heartbeat", {
      entry: "functions/handlers/trail-heartbeat.ts",
      name: "trail-heartbeat",
      description: "Checks on a schedule that the protected trails are logging and delivering log files.",
      environment: {
        ALERT_TOPIC_ARN: props.alertTopicArn,
        PROTECTED_TRAILS: protectedTrails,
        MAX_DELIVERY_AGE_MINUTES: String(props.heartbeat.maxDeliveryAgeMinutes),
        ...heartbeatPeriodEnv(props.heartbeat.schedule),
        IDEMPOTENCY_TABLE: this.heartbeatState.name,
        ...(forwardDlqs.length ? { FORWARD_DLQ_URLS: forwardDlqs.map((q) => q.url).join(",") } : {}),
      },
      timeoutSeconds: 60,
      memoryMb: 256,
      statements: heartbeatStatements(props, { ...policyCtx, heartbeatStateArn: this.heartbeatState.arn, forwardDlqArns: forwardDlqs.map((q) => q.arn) }),
      invokedAsynchronously: true,
    });

    // EventBridge's own delivery failures (function throttled past the 6 h retry window, permission
    // missing) never reach the function's async DLQ: they need a DLQ on the target.
    this.deliveryDlq = new SqsQueue(this, "delivery-dlq", {
      name: platform.name("trail-guard-delivery-dlq"),
      kmsMasterKeyId: platform.kmsKey.arn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    this.homeRules = patterns.map((p) => this.invokeRule(p, platform.name(`trail-guard-${p.id}`)));

    this.heartbeatRule = new CloudwatchEventRule(this, "heartbeat-schedule", {
      name: platform.name("trail-heartbeat"),
      description: "Checks the protected trails' logging status and last delivery",
      scheduleExpression: props.heartbeat.schedule,
    });
    this.target(this.heartbeatRule, "heartbeat-schedule", this.heartbeat);

    new SqsQueuePolicy(this, "delivery-dlq-policy", {
      queueUrl: this.deliveryDlq.url,
      policy: policyDocument(this, "delivery-dlq-policy-document", [
        {
          sid: "EventBridgeRulesOfTrailGuardSendUndeliveredEvents",
          principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
          actions: ["sqs:SendMessage"],
          resources: [this.deliveryDlq.arn],
          conditions: [
            { test: "ArnEquals", variable: "aws:SourceArn", values: [...this.homeRules, this.heartbeatRule].map((r) => r.arn) },
          ],
        },
      ]).json,
    });

    this.forwarding = [];
    const others = this.watchedRegions.slice(1);
    if (others.length > 0) {
      const homeBusArn = platform.arn("events", "event-bus/default", this.homeRegion);
      const forwarderRole = new IamRole(this, "forwarder-role", {
        name: platform.name("trail-guard-forwarder").slice(0, 64),
        description: "Lets the trail guard's EventBridge rules in other regions put matching events on the home region's default bus",
        assumeRolePolicy: policyDocument(this, "forwarder-trust", [
          {
            principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
            actions: ["sts:AssumeRole"],
            resources: [],
            conditions: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: [platform.account] },
              {
                test: "ArnLike",
                variable: "aws:SourceArn",
                values: [platform.arn("events", `rule/${platform.name("trail-guard-")}*`, "*")],
              },
            ],
          },
        ]).json,
      });
      this.forwarderRole = forwarderRole;
      new IamRolePolicy(this, "forwarder-policy", {
        name: "put-events-on-home-bus",
        role: forwarderRole.id,
        policy: policyDocument(this, "forwarder-permissions", [
          { sid: "PutEventsOnHomeDefaultBus", actions: ["events:PutEvents"], resources: [homeBusArn] },
        ]).json,
      });

      for (const region of others) {
        const provider = props.regionProviders?.[region] ?? regionalProvider(this, region);
        const scope = new Construct(this, `forward-${region}`);
        const rules: CloudwatchEventRule[] = [];
        const targets: CloudwatchEventTarget[] = [];
        const dlq = new SqsQueue(scope, "forward-dlq", {
          provider,
          name: forwardDlqName,
          kmsMasterKeyId: platform.keyFor(provider).arn,
          kmsDataKeyReusePeriodSeconds: 300,
          messageRetentionSeconds: 14 * 24 * 3600,
        });
        for (const p of patterns) {
          const rule = new CloudwatchEventRule(scope, `${p.id}-rule`, {
            provider,
            name: platform.name(`trail-guard-${p.id}`),
            description: `${p.description} (${region}, forwarded to ${this.homeRegion})`,
            eventPattern: JSON.stringify(p.pattern),
          });
          rules.push(rule);
          targets.push(
            new CloudwatchEventTarget(scope, `${p.id}-to-home-bus`, {
              provider,
              rule: rule.name,
              targetId: "home-bus",
              arn: homeBusArn,
              roleArn: forwarderRole.arn,
              deadLetterConfig: { arn: dlq.arn },
              retryPolicy: { maximumEventAgeInSeconds: 6 * 3600, maximumRetryAttempts: 185 },
            }),
          );
        }
        new SqsQueuePolicy(scope, "forward-dlq-policy", {
          provider,
          queueUrl: dlq.url,
          policy: policyDocument(scope, "forward-dlq-policy-document", [
            {
              sid: "ForwardingRulesOfThisRegionSendUndeliveredEvents",
              principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
              actions: ["sqs:SendMessage"],
              resources: [dlq.arn],
              conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: rules.map((r) => r.arn) }],
            },
          ], { provider }).json,
        });
        this.forwarding.push({ region, rules, targets, dlq });
      }
    }

    const notify = { alarmActions: [this.alarmTopicArn], okActions: [this.alarmTopicArn] };
    const alarmName = (id: string) => platform.name(`trail-guard-${id}`);
    this.alarms.push(queueNotEmptyAlarm(this, "delivery-dlq-alarm", {
      queueName: this.deliveryDlq.name,
      alarmName: alarmName("delivery-dlq"),
      description: "Events EventBridge could not deliver to the trail guard or the heartbeat are in the DLQ " +
        `${platform.name("trail-guard-delivery-dlq")}: read them there, fix the cause (permissions, throttling), then re-drive.`,
      ...notify,
    }));
    for (const fn of [this.guard, this.heartbeat]) {
      if (fn.dlq) {
        this.alarms.push(queueNotEmptyAlarm(this, `${fn.node.id}-dlq-alarm`, {
          queueName: fn.dlq.name,
          alarmName: alarmName(`${fn.node.id}-dlq`),
          description: `Invocations of ${fn.functionName} failed after retries; the events are in its DLQ. ` +
            `See the function's log group /aws/lambda/${fn.functionName} for the error.`,
          ...notify,
        }));
      }
      this.alarms.push(functionErrorsAlarm(this, `${fn.node.id}-errors-alarm`, {
        functionName: fn.functionName,
        alarmName: alarmName(`${fn.node.id}-errors`),
        description: `${fn.functionName} raised errors: tampering may go unremediated or a stopped trail unnoticed. See its log group /aws/lambda/${fn.functionName}.`,
        ...notify,
      }));
    }
  }

  /** A home-region rule for one pattern, targeting the trail-guard function. */
  private invokeRule(p: GuardPattern, name: string): CloudwatchEventRule {
    const rule = new CloudwatchEventRule(this, `${p.id}-rule`, {
      name,
      description: p.description,
      eventPattern: JSON.stringify(p.pattern),
    });
    this.target(rule, p.id, this.guard);
    return rule;
  }

  /** Target + invoke permission scoped to the rule; undeliverable events go to the delivery DLQ. */
  private target(rule: CloudwatchEventRule, id: string, fn: NodeFunction): void {
    new CloudwatchEventTarget(this, `${id}-target`, {
      rule: rule.name,
      targetId: fn.node.id,
      arn: fn.function.arn,
      deadLetterConfig: { arn: this.deliveryDlq.arn },
      retryPolicy: { maximumEventAgeInSeconds: 6 * 3600, maximumRetryAttempts: 185 },
    });
    new LambdaPermission(this, `${id}-invoke`, {
      statementId: `events-${id}`,
      action: "lambda:InvokeFunction",
      functionName: fn.function.functionName,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
  }
}
