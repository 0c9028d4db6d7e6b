import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { eventCountAlarm, functionErrorsAlarm, queueNotEmptyAlarm } from "../../../modules/platform";
import { resourcesOf } from "./synth-resources";

const TOPIC = "arn:aws:sns:eu-west-1:111122223333:tw-alarms";

/** The alarms of a stack built by `build`, by Terraform logical id. */
const alarmsOf = (build: (stack: TerraformStack) => void) => resourcesOf("aws_cloudwatch_metric_alarm", build);

describe("queueNotEmptyAlarm", () => {
  it("fires on the first visible message of the queue, for one 5-minute period, and treats silence as empty", () => {
    // Act
    const alarms = alarmsOf((s) => {
      queueNotEmptyAlarm(s, "dlq-alarm", { queueName: "tw-dlq", alarmName: "tw-dlq-not-empty", description: "Runs failed; redrive tw-dlq.", alarmActions: [TOPIC] });
    });
    // Assess
    expect(Object.keys(alarms)).toEqual(["dlq-alarm"]);
    expect(alarms["dlq-alarm"]).toEqual({
      alarm_name: "tw-dlq-not-empty",
      alarm_description: "Runs failed; redrive tw-dlq.",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "tw-dlq" },
      statistic: "Maximum",
      period: 300,
      evaluation_periods: 1,
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
    });
  });

  it("notifies the OK actions only when they are given, and follows a queue's name reference", () => {
    // Act
    const alarms = alarmsOf((s) => {
      const q = new SqsQueue(s, "queue", { name: "tw-work-dlq" });
      queueNotEmptyAlarm(s, "with-ok", { queueName: q.name, alarmName: "a", description: "d", alarmActions: [TOPIC], okActions: [TOPIC] });
    });
    // Assess
    expect(alarms["with-ok"]).toMatchObject({ dimensions: { QueueName: "${aws_sqs_queue.queue.name}" }, alarm_actions: [TOPIC], ok_actions: [TOPIC] });
  });

  it("is created in the queue's region when given that region's provider", () => {
    // Act
    const alarms = alarmsOf((s) => {
      const west = new AwsProvider(s, "west", { region: "us-west-2", alias: "west" });
      queueNotEmptyAlarm(s, "west-dlq-alarm", { queueName: "tw-west-dlq", alarmName: "a", description: "d", alarmActions: [TOPIC], provider: west });
    });
    // Assess
    expect(alarms["west-dlq-alarm"].provider).toBe("aws.west");
  });

  it("refuses a description CloudWatch would reject, naming the alarm and the limit", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "s");
    // Act / Assess
    expect(() => queueNotEmptyAlarm(stack, "long", { queueName: "q", alarmName: "tw-long", description: "x".repeat(1025), alarmActions: [TOPIC] })).toThrow(
      'Alarm "tw-long" (s/long): description is 1025 characters; CloudWatch accepts at most 1024.',
    );
    expect(() => queueNotEmptyAlarm(stack, "max", { queueName: "q", alarmName: "tw-max", description: "x".repeat(1024), alarmActions: [TOPIC] })).not.toThrow();
  });
});

describe("functionErrorsAlarm", () => {
  it("fires when the function had any error in a 5-minute period, and treats a period without invocations as fine", () => {
    // Act
    const alarms = alarmsOf((s) => {
      functionErrorsAlarm(s, "errors-alarm", { functionName: "tw-guard", alarmName: "tw-guard-errors", description: "tw-guard failed.", alarmActions: [TOPIC], okActions: [TOPIC] });
    });
    // Assess
    expect(alarms["errors-alarm"]).toEqual({
      alarm_name: "tw-guard-errors",
      alarm_description: "tw-guard failed.",
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      dimensions: { FunctionName: "tw-guard" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
  });
});

describe("eventCountAlarm", () => {
  it("fires on the first counted event of a period, with the period asked for, and treats silence as nothing to report", () => {
    // Act
    const alarms = alarmsOf((s) => {
      eventCountAlarm(s, "timed-out", {
        namespace: "AWS/States", metricName: "ExecutionsTimedOut", dimensions: { StateMachineArn: "arn:aws:states:eu-west-1:111122223333:stateMachine:tw" },
        period: 3600, alarmName: "tw-timed-out", description: "An execution timed out.", alarmActions: [TOPIC], okActions: [TOPIC],
      });
      eventCountAlarm(s, "anomalies", { namespace: "Trailwatch", metricName: "Anomalies", dimensions: { service: "log-analyzer" }, alarmName: "tw-anomalies", description: "Rules matched.", alarmActions: [TOPIC] });
    });
    // Assess
    expect(alarms["timed-out"]).toEqual({
      alarm_name: "tw-timed-out",
      alarm_description: "An execution timed out.",
      namespace: "AWS/States",
      metric_name: "ExecutionsTimedOut",
      dimensions: { StateMachineArn: "arn:aws:states:eu-west-1:111122223333:stateMachine:tw" },
      statistic: "Sum",
      period: 3600,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    expect(alarms.anomalies).toMatchObject({ period: 300, threshold: 1, statistic: "Sum" });
    expect(alarms.anomalies.ok_actions).toBeUndefined();
  });
});
