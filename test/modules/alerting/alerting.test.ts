import { Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Platform } from "../../../modules/platform";
import { applyPlatformAspects } from "../../../modules/aspects";
import { Alerting, HEC_MAX_RECEIVE_COUNT, undeliverableStatement, type AlertingProps } from "../../../modules/alerting";
import { buildBundles } from "../../../modules/lambda-function";

const ACCOUNT = "111122223333";
const SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:trailwatch/hec-token-AbCdEf";
const FIXTURE = "test/fixtures/handlers/echo.ts";
beforeAll(() => buildBundles([FIXTURE]));

function synth(props: Partial<AlertingProps> = {}): any {
  return JSON.parse(
    Testing.synthScope((stack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: "eu-west-1", logRetentionDays: 90 });
      applyPlatformAspects(stack as never);
      new Alerting(stack, "alerting", { emails: ["soc@example.com"], forwarderEntry: FIXTURE, ...props });
    }),
  );
}
const values = (o: Record<string, any> | undefined): any[] => Object.values(o ?? {});
const docWith = (tf: any, sid: string): any => values(tf.data.aws_iam_policy_document).find((d) => d.statement?.some((s: any) => s.sid === sid));
const statement = (tf: any, sid: string): any => docWith(tf, sid).statement.find((s: any) => s.sid === sid);

describe("Alerting", () => {
  it("creates one KMS-encrypted alert topic that this account's alarms and rules may publish to, over TLS only", () => {
    // Act
    const tf = synth();
    // Assess
    expect(values(tf.resource.aws_sns_topic)).toEqual([expect.objectContaining({ name: "tw-alerts", kms_master_key_id: expect.stringContaining("aws_kms_key.platform_key") })]);
    expect(statement(tf, "AlarmsAndRulesOfThisAccountPublish")).toMatchObject({
      actions: ["sns:Publish"],
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }],
      resources: ["arn:aws:sns:eu-west-1:111122223333:tw-alerts"],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] }],
    });
    expect(statement(tf, "DenyPublishWithoutTls")).toMatchObject({ effect: "Deny", condition: [{ variable: "aws:SecureTransport", values: ["false"] }] });
  });

  it("subscribes each address once, filtered on email=yes and the minimum severity rank", () => {
    // Act
    const tf = synth({ emails: ["soc@example.com", "oncall@example.com", "soc@example.com"], emailMinSeverity: "high" });
    // Assess
    const subs = values(tf.resource.aws_sns_topic_subscription);
    expect(subs.map((s) => s.endpoint)).toEqual(["soc@example.com", "oncall@example.com"]);
    for (const s of subs) {
      expect(s).toMatchObject({ protocol: "email", filter_policy_scope: "MessageAttributes" });
      expect(JSON.parse(s.filter_policy)).toEqual({ $or: [{ email: ["yes"], severityRank: [{ numeric: [">=", 3] }] }, { rule: [{ exists: false }] }] });
    }
  });

  it("mails every severity when no minimum is given", () => {
    // Act
    const tf = synth();
    // Assess
    expect(JSON.parse(values(tf.resource.aws_sns_topic_subscription)[0].filter_policy)).toEqual({ $or: [{ email: ["yes"] }, { rule: [{ exists: false }] }] });
  });

  it("keeps an alert ledger table (KMS, point-in-time recovery, TTL) so an alert two functions raise goes out once", () => {
    // Act
    const tf = synth();
    // Assess
    expect(values(tf.resource.aws_dynamodb_table)).toEqual([
      expect.objectContaining({
        name: "tw-alert-ledger",
        hash_key: "pk",
        billing_mode: "PAY_PER_REQUEST",
        ttl: { attribute_name: "expiresAt", enabled: true },
        point_in_time_recovery: { enabled: true },
        server_side_encryption: { enabled: true, kms_key_arn: expect.stringContaining("aws_kms_key.platform_key") },
      }),
    ]);
  });

  it("keeps alerts the topic refuses in an encrypted undeliverable-alerts queue for 14 days, with an alarm to the topic", () => {
    // Act
    const tf = synth();
    // Assess
    expect(values(tf.resource.aws_sqs_queue)).toEqual([
      expect.objectContaining({ name: "tw-undeliverable-alerts", kms_master_key_id: expect.stringContaining("aws_kms_key.platform_key"), message_retention_seconds: 14 * 24 * 3600 }),
    ]);
    const [alarm] = values(tf.resource.aws_cloudwatch_metric_alarm);
    expect(alarm).toMatchObject({
      alarm_name: "tw-undeliverable-alerts-not-empty",
      dimensions: { QueueName: "tw-undeliverable-alerts" },
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: [expect.stringContaining("aws_sns_topic.alerting_topic")],
    });
    expect(alarm.alarm_description).toContain("npm run replay-undeliverable");
  });

  it("gives publishers sqs:SendMessage on that queue only", () => {
    // Prepare
    let ref: ReturnType<typeof undeliverableStatement> | undefined;
    Testing.synthScope((stack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: "eu-west-1", logRetentionDays: 90 });
      // Act
      ref = undeliverableStatement(new Alerting(stack, "alerting", { emails: [] }).undeliverable);
    });
    // Assess
    expect(ref).toEqual({ sid: "KeepUndeliverableAlerts", actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:111122223333:tw-undeliverable-alerts"] });
  });

  it("deploys no HEC plumbing without a HEC sink", () => {
    // Act
    const tf = synth();
    // Assess
    expect(values(tf.resource.aws_sqs_queue).map((q) => q.name)).toEqual(["tw-undeliverable-alerts"]);
    expect(tf.resource.aws_lambda_function).toBeUndefined();
  });

  describe("with a Splunk HEC sink", () => {
    const hec = { endpoint: "https://splunk.example.com:8088", tokenSecretArn: SECRET, index: "security" } as const;

    it("subscribes an encrypted queue with raw delivery and a redrive DLQ after five receives", () => {
      // Act
      const tf = synth({ hec });
      // Assess
      const queues = Object.fromEntries(values(tf.resource.aws_sqs_queue).map((q) => [q.name, q]));
      expect(Object.keys(queues).sort()).toEqual(["tw-hec-alerts", "tw-hec-alerts-dlq", "tw-hec-rejected", "tw-undeliverable-alerts"]);
      for (const q of Object.values<any>(queues)) expect(q.kms_master_key_id).toContain("aws_kms_key.platform_key");
      expect(JSON.parse(queues["tw-hec-alerts"].redrive_policy)).toEqual({ deadLetterTargetArn: "arn:aws:sqs:eu-west-1:111122223333:tw-hec-alerts-dlq", maxReceiveCount: HEC_MAX_RECEIVE_COUNT });
      expect(queues["tw-hec-alerts"].visibility_timeout_seconds).toBe(180);
      const sqsSub = values(tf.resource.aws_sns_topic_subscription).find((s) => s.protocol === "sqs");
      expect(sqsSub).toMatchObject({ raw_message_delivery: true, endpoint: expect.stringContaining("aws_sqs_queue.alerting_hec-queue") });
      // Only trailwatch alerts (with a rule attribute) reach Splunk; CloudWatch alarm notifications do not.
      expect(JSON.parse(sqsSub.filter_policy)).toEqual({ rule: [{ exists: true }] });
      expect(statement(tf, "AlertTopicDelivers")).toMatchObject({
        principals: [{ type: "Service", identifiers: ["sns.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: ["arn:aws:sns:eu-west-1:111122223333:tw-alerts"] }],
      });
    });

    it("runs the forwarder from the queue in batches of 10 with partial batch failures", () => {
      // Act
      const tf = synth({ hec });
      // Assess
      expect(values(tf.resource.aws_lambda_event_source_mapping)).toEqual([
        expect.objectContaining({ batch_size: 10, function_response_types: ["ReportBatchItemFailures"], event_source_arn: expect.stringContaining("alerting_hec-queue") }),
      ]);
      const fn = values(tf.resource.aws_lambda_function)[0];
      expect(fn.function_name).toBe("tw-hec-forwarder");
      expect(fn.environment.variables).toEqual({
        POWERTOOLS_SERVICE_NAME: "hec-forwarder",
        POWERTOOLS_METRICS_NAMESPACE: "trailwatch",
        HEC_ENDPOINT: "https://splunk.example.com:8088",
        HEC_TOKEN_SECRET_ARN: SECRET,
        HEC_INDEX: "security",
        HEC_SOURCETYPE: "trailwatch:alert",
        HEC_SOURCE: "trailwatch",
        HEC_DLQ_URL: expect.stringMatching(/^\$\{aws_sqs_queue\.alerting_hec-rejected_\w+\.url\}$/),
        FUNCTION_ROLE_ARN: expect.stringMatching(/^\$\{aws_iam_role\.alerting_hec-forwarder_role_\w+\.arn\}$/),
      });
    });

    it("lets the forwarder read only the named secret, decrypting only through Secrets Manager for it", () => {
      // Act
      const tf = synth({ hec });
      // Assess
      expect(statement(tf, "ReadHecTokenSecret")).toMatchObject({ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] });
      expect(statement(tf, "DecryptHecTokenSecret")).toMatchObject({
        actions: ["kms:Decrypt"],
        resources: ["arn:aws:kms:eu-west-1:111122223333:key/*"],
        condition: [
          { test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.eu-west-1.amazonaws.com"] },
          { test: "StringEquals", variable: "kms:EncryptionContext:SecretARN", values: [SECRET] },
        ],
      });
      expect(docWith(tf, "ReadHecTokenSecret").statement.some((s: any) => s.actions.some((a: string) => a.startsWith("ssm:")))).toBe(false);
    });

    it("lets the forwarder read only the named parameter when the token is in SSM", () => {
      // Act
      const tf = synth({ hec: { endpoint: hec.endpoint, tokenParameterName: "/trailwatch/hec-token" } });
      // Assess
      const arn = "arn:aws:ssm:eu-west-1:111122223333:parameter/trailwatch/hec-token";
      expect(statement(tf, "ReadHecTokenParameter")).toMatchObject({ actions: ["ssm:GetParameter"], resources: [arn] });
      expect(statement(tf, "DecryptHecTokenParameter").condition).toEqual([
        { test: "StringEquals", variable: "kms:ViaService", values: ["ssm.eu-west-1.amazonaws.com"] },
        { test: "StringEquals", variable: "kms:EncryptionContext:PARAMETER_ARN", values: [arn] },
      ]);
      const env = values(tf.resource.aws_lambda_function)[0].environment.variables;
      expect(env.HEC_TOKEN_PARAMETER_NAME).toBe("/trailwatch/hec-token");
      expect(env.HEC_TOKEN_SECRET_ARN).toBeUndefined();
    });

    it("alarms to the topic when either HEC dead-letter queue holds messages", () => {
      // Act
      const tf = synth({ hec });
      // Assess
      const alarms = values(tf.resource.aws_cloudwatch_metric_alarm);
      expect(alarms.map((a) => a.dimensions.QueueName).sort()).toEqual(["tw-hec-alerts-dlq", "tw-hec-rejected", "tw-undeliverable-alerts"]);
      for (const a of alarms) expect(a).toMatchObject({ threshold: 0, comparison_operator: "GreaterThanThreshold", alarm_actions: [expect.stringContaining("aws_sns_topic.alerting_topic")] });
    });
  });
});
