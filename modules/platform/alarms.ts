import type { Construct } from "constructs";
import { Token, type TerraformProvider } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

/** CloudWatch rejects a longer `AlarmDescription`. */
const MAX_DESCRIPTION = 1024;

/** What every "something failed" alarm needs besides its metric. */
export interface FailureAlarmProps {
  alarmName: string;
  /** What happened and what to do about it: this is the text people read in the notification. */
  description: string;
  /** SNS topic ARNs notified when the alarm fires (in the alarm's region: CloudWatch cannot notify another region). */
  alarmActions: string[];
  /** Topic ARNs notified when it clears; none unless given, so each caller decides whether "resolved" mail is wanted. */
  okActions?: string[];
  /** Provider of the region the queue or function lives in (metrics are regional); default the stack's provider. */
  provider?: TerraformProvider;
}

export interface QueueNotEmptyAlarmProps extends FailureAlarmProps {
  /** Name of the queue (usually a dead-letter queue) that must stay empty. */
  queueName: string;
}

export interface FunctionErrorsAlarmProps extends FailureAlarmProps {
  /** Name of the Lambda function whose every failed invocation matters. */
  functionName: string;
}

/**
 * Fires when the queue holds any visible message: for a dead-letter queue every message is work
 * that was given up on, so there is no noise level to tolerate.
 *
 * - `Maximum` of `ApproximateNumberOfMessagesVisible`: one message seen at any point of the period
 *   counts, however briefly; `Average` could round a short-lived message away.
 * - `> 0` in one 300 s period: a parked message does not go away on its own, so one data point is
 *   proof enough and waiting for more periods only delays the news. (`> 0` and `>= 1` mean the
 *   same for a message count; `> 0` reads as "not empty".)
 * - missing data is `notBreaching`: SQS stops publishing metrics for a queue that has stayed empty
 *   and idle for hours, and that silence means "nothing failed".
 */
export function queueNotEmptyAlarm(scope: Construct, id: string, props: QueueNotEmptyAlarmProps): CloudwatchMetricAlarm {
  return failureAlarm(scope, id, props, {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: props.queueName },
    statistic: "Maximum",
  });
}

/**
 * Fires when the function had any error (an exception from its code or from the Lambda runtime,
 * such as a timeout). The functions trailwatch alarms on handle security events, where one failed
 * run can be one missed alert, so any error is worth a look.
 *
 * - `Sum` of `Errors` `> 0` in one 300 s period: the number of failed invocations in the window;
 *   one is enough, and the alarm clears by itself (OK action, when given) once a period is clean.
 * - missing data is `notBreaching`: a period without invocations has no data point, and nothing
 *   failed in it.
 */
export function functionErrorsAlarm(scope: Construct, id: string, props: FunctionErrorsAlarmProps): CloudwatchMetricAlarm {
  return failureAlarm(scope, id, props, {
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: props.functionName },
    statistic: "Sum",
  });
}

export interface EventCountAlarmProps extends FailureAlarmProps {
  /** The metric that counts the events: a Step Functions `ExecutionsFailed`, a custom count of rule matches. */
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Seconds per period (default 300). */
  period?: number;
}

/**
 * Fires when a metric that counts events of concern (rule matches, failed or timed-out executions)
 * counted at least one in a period.
 *
 * - `Sum` `>= 1` in one period: each event is news on its own.
 * - missing data is `notBreaching`: Step Functions and custom metrics publish nothing for a quiet period.
 */
export function eventCountAlarm(scope: Construct, id: string, props: EventCountAlarmProps): CloudwatchMetricAlarm {
  const { namespace, metricName, dimensions, period = 300, ...failure } = props;
  return failureAlarm(scope, id, failure, { namespace, metricName, dimensions, statistic: "Sum" }, { period, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold" });
}

type Metric = { namespace: string; metricName: string; dimensions: Record<string, string>; statistic: string };
type Trigger = { period: number; threshold: number; comparisonOperator: string };

/** By default any data point above zero in one 5-minute period; nothing reported means nothing failed. */
function failureAlarm(
  scope: Construct,
  id: string,
  props: FailureAlarmProps,
  metric: Metric,
  trigger: Trigger = { period: 300, threshold: 0, comparisonOperator: "GreaterThanThreshold" },
): CloudwatchMetricAlarm {
  const { alarmName, description, alarmActions, okActions, provider } = props;
  // A description with tokens is only known at apply time; terraform validate checks it there.
  if (!Token.isUnresolved(description) && description.length > MAX_DESCRIPTION) {
    throw new Error(`Alarm "${alarmName}" (${scope.node.path}/${id}): description is ${description.length} characters; CloudWatch accepts at most ${MAX_DESCRIPTION}.`);
  }
  return new CloudwatchMetricAlarm(scope, id, {
    provider,
    alarmName,
    alarmDescription: description,
    ...metric,
    period: trigger.period,
    evaluationPeriods: 1,
    threshold: trigger.threshold,
    comparisonOperator: trigger.comparisonOperator,
    treatMissingData: "notBreaching",
    alarmActions,
    ...(okActions ? { okActions } : {}),
  });
}
