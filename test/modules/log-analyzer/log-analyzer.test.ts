import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalog } from "../../../functions/core/rules/catalog";
import { REMEDIATION_PERMISSIONS } from "../../../functions/core/remediation/permissions";
import { LogAnalyzer, logAnalyzerSettingsSchema, type LogAnalyzerSettingsInput } from "../../../modules/log-analyzer";
import type { DeploymentRules } from "../../../modules/platform/rules-entry";

/** The deployment rules of a config with only rule settings (what infra/config/rules.ts makes of them). */
const withSettings = (catalogSettings: Record<string, Record<string, unknown>>): DeploymentRules => ({
  tuning: { disabled: [], severity: {}, suppressions: {}, settings: catalogSettings },
  typescript: [],
  sigma: [],
  disabled: [],
  catalogSettings,
  ownRuleIds: [],
});
import { ACCOUNT, ALERT_TOPIC, HOME, findResource, functionStatements, grants, platformStack, refTo, resourcesOf, statementsOf, synth, type Tf } from "../trail-guard/synth-support";

// Bundling is NodeFunction's concern (and the whole-stack test's); here it is a stub that records entries.
jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("../trail-guard/synth-support").fakeBundler());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundler = require("../../../modules/lambda-function/bundle") as { entries: string[] };

const BUCKET = "org-cloudtrail-logs";
const LOG_KEY = `arn:aws:kms:${HOME}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BASE: LogAnalyzerSettingsInput = { enabled: true, bucketName: BUCKET, notification: { source: "s3", manageBucketNotification: true } };

function synthAnalyzer(overrides: Partial<LogAnalyzerSettingsInput> = {}, rules?: DeploymentRules): Tf {
  const stack = platformStack();
  const settings = logAnalyzerSettingsSchema.parse({ ...BASE, ...overrides });
  new LogAnalyzer(stack, "log-analyzer", { ...settings, alertTopicArn: ALERT_TOPIC, ...(rules ? { rules } : {}) });
  return synth(stack);
}

const FN = "tw-log-analyzer";
const REMEDIATOR = "tw-remediator";
const queue = (tf: Tf) => findResource(tf, "aws_sqs_queue", (q) => q.name === "tw-log-analyzer");
const queueArn = (tf: Tf) => refTo(tf, "aws_sqs_queue", (q) => q.name === "tw-log-analyzer", "arn");
const platformKeyArn = (tf: Tf) => refTo(tf, "aws_kms_key", (k) => k.description.startsWith("trailwatch tw: encrypts"), "arn");
const withoutOwnStatements = (tf: Tf) => functionStatements(tf, FN).filter((s) => s.sid !== "WriteOwnLogGroup");

describe("LogAnalyzer", () => {
  const tf = synthAnalyzer();

  it("deploys the log-analyzer handler, invoked by the queue only (no async retries, no async DLQ)", () => {
    // Assess
    expect(bundler.entries).toContain("functions/handlers/log-analyzer.ts");
    expect(resourcesOf(tf, "aws_lambda_function_event_invoke_config")).toEqual([]);
    expect(resourcesOf(tf, "aws_sqs_queue").map(([, q]) => q.name).sort()).toEqual(["tw-log-analyzer", "tw-log-analyzer-dlq"]);
  });

  it("queues notifications encrypted, hidden for six function timeouts while processed, and parks them in a DLQ after five receives", () => {
    // Act
    const q = queue(tf);
    const dlq = findResource(tf, "aws_sqs_queue", (x) => x.name === "tw-log-analyzer-dlq");
    const fn = findResource(tf, "aws_lambda_function", (f) => f.function_name === FN);
    // Assess
    expect(q.kms_master_key_id).toBe(platformKeyArn(tf));
    expect(dlq.kms_master_key_id).toBe(platformKeyArn(tf));
    expect(q.visibility_timeout_seconds).toBeGreaterThanOrEqual(6 * fn.timeout);
    expect(JSON.parse(q.redrive_policy)).toEqual({ deadLetterTargetArn: refTo(tf, "aws_sqs_queue", (x) => x.name === "tw-log-analyzer-dlq", "arn"), maxReceiveCount: 5 });
  });

  it("has S3 announce every kind of object creation of CloudTrail log files, after the queue policy allows it", () => {
    // Act
    const n = findResource(tf, "aws_s3_bucket_notification", () => true);
    // Assess
    expect(n.bucket).toBe(BUCKET);
    expect(n.queue).toEqual([
      { id: "trailwatch-log-analyzer", queue_arn: queueArn(tf), events: ["s3:ObjectCreated:*"], filter_prefix: "AWSLogs/", filter_suffix: ".json.gz" },
    ]);
    expect(n.depends_on).toEqual([expect.stringMatching(/^aws_sqs_queue_policy\./)]);
  });

  it("lets only the trail bucket of this account send to the queue", () => {
    // Act
    const policy = findResource(tf, "aws_sqs_queue_policy", () => true);
    const statements = statementsOf(tf, policy.policy);
    // Assess
    expect(policy.queue_url).toBe(refTo(tf, "aws_sqs_queue", (q) => q.name === "tw-log-analyzer", "url"));
    expect(statements).toEqual([
      expect.objectContaining({
        actions: ["sqs:SendMessage"],
        resources: [queueArn(tf)],
        principals: [{ type: "Service", identifiers: ["s3.amazonaws.com"] }],
        condition: [
          { test: "ArnEquals", variable: "aws:SourceArn", values: [`arn:aws:s3:::${BUCKET}`] },
          { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
        ],
      }),
    ]);
  });

  it("consumes the queue in batches and reports failed items one by one", () => {
    // Act
    const esm = findResource(tf, "aws_lambda_event_source_mapping", () => true);
    const tuned = findResource(synthAnalyzer({ batchSize: 50, maxBatchingWindowSeconds: 20, maxConcurrency: 5 }), "aws_lambda_event_source_mapping", () => true);
    // Assess
    expect(esm).toMatchObject({
      event_source_arn: queueArn(tf),
      batch_size: 10,
      maximum_batching_window_in_seconds: 5,
      function_response_types: ["ReportBatchItemFailures"],
    });
    expect(esm.scaling_config).toBeUndefined();
    expect(tuned).toMatchObject({ batch_size: 50, maximum_batching_window_in_seconds: 20, scaling_config: { maximum_concurrency: 5 } });
  });

  it("remembers processed files in an on-demand table encrypted with the platform key, with TTL and point-in-time recovery", () => {
    // Act
    const table = findResource(tf, "aws_dynamodb_table", () => true);
    const fn = findResource(tf, "aws_lambda_function", (f) => f.function_name === FN);
    // Assess
    expect(table).toMatchObject({
      name: "tw-log-analyzer-idempotency",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "pk",
      attribute: [{ name: "pk", type: "S" }],
      ttl: { attribute_name: "expiresAt", enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: platformKeyArn(tf) },
      point_in_time_recovery: { enabled: true },
    });
    expect(fn.environment.variables).toMatchObject({
      ALERT_TOPIC_ARN: ALERT_TOPIC,
      IDEMPOTENCY_TABLE: refTo(tf, "aws_dynamodb_table", () => true, "name"),
      IDEMPOTENCY_TTL_DAYS: "15",
      REMEDIATION: "{}",
    });
    // Rule settings come with the rules the bundle embeds, not in the analyzer's environment.
    expect(fn.environment.variables.RULE_SETTINGS).toBeUndefined();
  });

  it("grants exactly: read the trail's log files, use the table, consume the queue, publish alerts", () => {
    // Act
    const statements = withoutOwnStatements(tf);
    // Assess
    expect(statements.map((s) => ({ actions: s.actions, resources: s.resources }))).toEqual([
      { actions: ["s3:GetObject"], resources: [`arn:aws:s3:::${BUCKET}/AWSLogs/*`] },
      { actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::${BUCKET}`] },
      { actions: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [refTo(tf, "aws_dynamodb_table", () => true, "arn")] },
      { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], resources: [queueArn(tf)] },
      { actions: ["sns:Publish"], resources: [ALERT_TOPIC] },
      { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [platformKeyArn(tf)] },
    ]);
  });

  it("narrows log reads to the organization's prefix and may decrypt with the trail's key when one is set", () => {
    // Act
    const org = synthAnalyzer({ keyPrefix: "ct", layout: { type: "organization", organizationId: "o-a1b2c3d4e5" }, logKmsKeyArn: LOG_KEY });
    const can = grants(org, FN);
    // Assess
    expect(can.get("s3:GetObject")).toEqual([`arn:aws:s3:::${BUCKET}/ct/AWSLogs/o-a1b2c3d4e5/*`]);
    expect(can.get("kms:Decrypt")).toEqual(expect.arrayContaining([LOG_KEY]));
    expect(findResource(org, "aws_s3_bucket_notification", () => true).queue[0].filter_prefix).toBe("ct/AWSLogs/o-a1b2c3d4e5/");
  });

  it("deploys no remediator while every remediation is off", () => {
    // Assess
    expect(resourcesOf(tf, "aws_lambda_function").map(([, f]) => f.function_name)).toEqual([FN]);
    expect(findResource(tf, "aws_lambda_function", (f) => f.function_name === FN).environment.variables.REMEDIATOR_FUNCTION).toBeUndefined();
    expect(grants(tf, FN).has("lambda:InvokeFunction")).toBe(false);
  });

  describe("with remediation configured", () => {
    const remediable = catalog.filter((r) => r.remediation);
    const all = (mode: "apply" | "dry-run") => Object.fromEntries(remediable.map((r) => [r.id, mode]));
    const applied = synthAnalyzer(
      { remediation: all("apply") },
      withSettings({ "ec2.security-group-open-to-world": { allowedPorts: [443] }, "ssm.plaintext-secret-parameter": { allowNames: ["/public/x"] } }),
    );
    const dryRun = synthAnalyzer({ remediation: all("dry-run") });
    const remediatorArn = (t: Tf) => refTo(t, "aws_lambda_function", (f) => f.function_name === REMEDIATOR, "arn");
    const ownStatementsOf = (t: Tf, fn: string) => functionStatements(t, fn).filter((s) => s.sid !== "WriteOwnLogGroup");

    it("deploys a remediator function, invoked synchronously by the analyzer only, with the same remediation settings", () => {
      // Act
      const fn = findResource(applied, "aws_lambda_function", (f) => f.function_name === REMEDIATOR);
      const analyzer = findResource(applied, "aws_lambda_function", (f) => f.function_name === FN);
      const analyzerRole = findResource(applied, "aws_iam_role", (r) => r.name === FN);
      // Assess
      expect(bundler.entries).toContain("functions/handlers/remediator.ts");
      expect(fn.timeout).toBe(60);
      expect(resourcesOf(applied, "aws_lambda_function_event_invoke_config")).toEqual([]);
      expect(fn.environment.variables).toMatchObject({
        REMEDIATION: analyzer.environment.variables.REMEDIATION,
        // Only the settings of rules with a remediation: the remediator re-checks findings of those.
        RULE_SETTINGS: JSON.stringify({ "ec2.security-group-open-to-world": { allowedPorts: [443] } }),
        FUNCTION_ROLE_ARN: refTo(applied, "aws_iam_role", (r) => r.name === REMEDIATOR, "arn"),
        TRIGGER_ROLE_ARNS: `arn:aws:iam::${ACCOUNT}:role/${analyzerRole.name}`,
        REMEDIATION_LEDGER_TABLE: refTo(applied, "aws_dynamodb_table", (t) => t.name === "tw-remediation-ledger", "name"),
        MAX_EVENT_AGE_MINUTES: "60",
        // trailwatch's own roles (the deployment's prefix) are never changed.
        PROTECTED_TARGETS: JSON.stringify([`arn:aws:iam::${ACCOUNT}:role/tw-*`]),
      });
      expect(findResource(applied, "aws_iam_role", (r) => r.name === REMEDIATOR)).toBeDefined();
      expect(analyzer.environment.variables.REMEDIATOR_FUNCTION).toBe(REMEDIATOR);
      expect(analyzer.timeout).toBeGreaterThan(fn.timeout);
    });

    it("grants the remediator LookupEvents, the remediation actions of rules configured apply and its ledger table, and the analyzer only the right to invoke it", () => {
      // Act
      const remediator = ownStatementsOf(applied, REMEDIATOR);
      const analyzer = ownStatementsOf(applied, FN);
      // Assess
      expect(remediable.length).toBeGreaterThan(0);
      const expected = [
        { actions: ["cloudtrail:LookupEvents"], resources: ["*"] },
        ...[...new Set(remediable.map((r) => r.remediation!))].sort().flatMap((id) => [
          {
            actions: REMEDIATION_PERMISSIONS[id].actions,
            resources: REMEDIATION_PERMISSIONS[id].resources.map((p) => p.replace("${partition}", "aws").replace("${account}", ACCOUNT)),
          },
          ...(REMEDIATION_PERMISSIONS[id].unscoped ? [{ actions: REMEDIATION_PERMISSIONS[id].unscoped.actions, resources: ["*"] }] : []),
        ]),
        { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources: [refTo(applied, "aws_dynamodb_table", (t) => t.name === "tw-remediation-ledger", "arn")] },
        { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [expect.stringMatching(/^\$\{aws_kms_key\..*\.arn\}$/)] },
      ];
      expect(remediator.map((s) => ({ actions: s.actions, resources: s.resources }))).toEqual(expected);
      // Every placeholder of the permission patterns is filled (only Terraform references remain).
      expect(JSON.stringify(remediator)).not.toMatch(/\$\{(partition|account)\}/);
      expect(analyzer).toEqual([...withoutOwnStatements(tf), expect.objectContaining({ actions: ["lambda:InvokeFunction"], resources: [remediatorArn(applied)] })]);
    });

    it("keeps a remediation ledger (by event id) for apply: its own table, encrypted, with TTL, that only the remediator may use", () => {
      // Act
      const ledger = findResource(applied, "aws_dynamodb_table", (t) => t.name === "tw-remediation-ledger");
      const ledgerArn = refTo(applied, "aws_dynamodb_table", (t) => t.name === "tw-remediation-ledger", "arn");
      // Assess
      expect(ledger).toMatchObject({
        billing_mode: "PAY_PER_REQUEST",
        hash_key: "pk",
        attribute: [{ name: "pk", type: "S" }],
        ttl: { attribute_name: "expiresAt", enabled: true },
        server_side_encryption: { enabled: true, kms_key_arn: platformKeyArn(applied) },
        point_in_time_recovery: { enabled: true },
      });
      expect(JSON.stringify(functionStatements(applied, FN))).not.toContain(ledgerArn);
      expect(JSON.stringify(functionStatements(applied, REMEDIATOR))).toContain(ledgerArn);
    });

    it("passes the configured age limit and protected targets to the remediator", () => {
      // Act
      const t = synthAnalyzer({ remediation: all("apply"), remediationSafety: { maxEventAgeMinutes: 30, protectedTargets: ["arn:*:iam::*:role/prod-*"] } });
      // Assess
      expect(findResource(t, "aws_lambda_function", (f) => f.function_name === REMEDIATOR).environment.variables).toMatchObject({
        MAX_EVENT_AGE_MINUTES: "30",
        PROTECTED_TARGETS: JSON.stringify(["arn:*:iam::*:role/prod-*", `arn:aws:iam::${ACCOUNT}:role/tw-*`]),
      });
    });

    it("grants no remediation action at all for dry-run (it only verifies and plans), and deploys no ledger", () => {
      // Assess
      expect(ownStatementsOf(dryRun, REMEDIATOR).map((s) => s.actions)).toEqual([["cloudtrail:LookupEvents"]]);
      expect(resourcesOf(dryRun, "aws_dynamodb_table").map(([, t]) => t.name)).not.toContain("tw-remediation-ledger");
      expect(findResource(dryRun, "aws_lambda_function", (f) => f.function_name === REMEDIATOR).environment.variables.REMEDIATION_LEDGER_TABLE).toBeUndefined();
      expect(ownStatementsOf(dryRun, FN)).toEqual([...withoutOwnStatements(tf), expect.objectContaining({ actions: ["lambda:InvokeFunction"], resources: [remediatorArn(dryRun)] })]);
    });
  });

  it("alarms on detected anomalies with a pointer to the details, and on the DLQ, errors and backlog, all to the alert topic", () => {
    // Act
    const alarms = Object.fromEntries(resourcesOf(tf, "aws_cloudwatch_metric_alarm").map(([, a]) => [a.alarm_name, a]));
    // Assess
    expect(Object.keys(alarms).sort()).toEqual(["tw-log-analyzer-anomalies", "tw-log-analyzer-backlog", "tw-log-analyzer-dlq", "tw-log-analyzer-errors"]);
    expect(alarms["tw-log-analyzer-anomalies"]).toMatchObject({
      namespace: "trailwatch",
      metric_name: "AnomaliesDetected",
      dimensions: { service: "log-analyzer" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      alarm_description: expect.stringMatching(/alert emails and in Splunk/),
    });
    expect(alarms["tw-log-analyzer-dlq"]).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: refTo(tf, "aws_sqs_queue", (q) => q.name === "tw-log-analyzer-dlq", "name") },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
    });
    expect(alarms["tw-log-analyzer-errors"]).toMatchObject({ namespace: "AWS/Lambda", metric_name: "Errors", dimensions: { FunctionName: FN } });
    for (const a of Object.values<any>(alarms)) expect(a).toMatchObject({ alarm_actions: [ALERT_TOPIC], ok_actions: [ALERT_TOPIC] });
  });

  it("subscribes the queue to the trail's own SNS topic with raw delivery when that is the source", () => {
    // Prepare
    const topicArn = `arn:aws:sns:${HOME}:${ACCOUNT}:cloudtrail-logs`;
    // Act
    const out = synthAnalyzer({ notification: { source: "cloudtrail-sns", topicArn } });
    const sub = findResource(out, "aws_sns_topic_subscription", () => true);
    const [statement] = statementsOf(out, findResource(out, "aws_sqs_queue_policy", () => true).policy);
    // Assess
    expect(sub).toMatchObject({ topic_arn: topicArn, protocol: "sqs", endpoint: queueArn(out), raw_message_delivery: true });
    expect(resourcesOf(out, "aws_s3_bucket_notification")).toEqual([]);
    expect(statement.principals).toEqual([{ type: "Service", identifiers: ["sns.amazonaws.com"] }]);
    expect(statement.condition).toEqual([
      { test: "ArnEquals", variable: "aws:SourceArn", values: [topicArn] },
      { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
    ]);
  });

  it("with EventBridge as the source, adds a rule for the bucket's new log files that sends to the queue and parks what it cannot deliver in the DLQ; the bucket is not touched", () => {
    // Prepare
    const ruleArn = `arn:aws:events:${HOME}:${ACCOUNT}:rule/tw-log-analyzer-new-log-files`;
    const dlqArn = refTo(synthAnalyzer(), "aws_sqs_queue", (q) => q.name === "tw-log-analyzer-dlq", "arn");
    // Act
    const out = synthAnalyzer({ notification: { source: "eventbridge" }, layout: { type: "organization", organizationId: "o-a1b2c3d4e5" } });
    const rule = findResource(out, "aws_cloudwatch_event_rule", () => true);
    const target = findResource(out, "aws_cloudwatch_event_target", () => true);
    const policyOf = (queue: string) =>
      statementsOf(out, findResource(out, "aws_sqs_queue_policy", (p) => p.queue_url === refTo(out, "aws_sqs_queue", (q) => q.name === queue, "url")).policy);
    // Assess
    expect(rule.name).toBe("tw-log-analyzer-new-log-files");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [BUCKET] }, object: { key: [{ prefix: "AWSLogs/o-a1b2c3d4e5/" }] } },
    });
    expect(target).toMatchObject({ arn: queueArn(out), dead_letter_config: { arn: dlqArn }, retry_policy: { maximum_retry_attempts: 185 } });
    expect(resourcesOf(out, "aws_s3_bucket_notification")).toEqual([]);
    expect(resourcesOf(out, "aws_sns_topic_subscription")).toEqual([]);
    for (const queue of ["tw-log-analyzer", "tw-log-analyzer-dlq"]) {
      expect(policyOf(queue)).toEqual([
        expect.objectContaining({
          actions: ["sqs:SendMessage"],
          principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
          condition: [
            { test: "ArnEquals", variable: "aws:SourceArn", values: [ruleArn] },
            { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
          ],
        }),
      ]);
    }
  });

  it("gives the queues a key of their own, usable only by that source, when the topic is another account's", () => {
    // Prepare
    const topicArn = `arn:aws:sns:${HOME}:999988887777:org-cloudtrail`;
    // Act
    const out = synthAnalyzer({ notification: { source: "cloudtrail-sns", topicArn } });
    const intake = findResource(out, "aws_kms_key", (k) => k.description.includes("log-analyzer queues"));
    const keyArn = refTo(out, "aws_kms_key", (k) => k.description.includes("log-analyzer queues"), "arn");
    // Assess
    expect(queue(out).kms_master_key_id).toBe(keyArn);
    expect(intake.enable_key_rotation).toBe(true);
    expect(statementsOf(out, intake.policy)[1]).toMatchObject({
      principals: [{ type: "Service", identifiers: ["sns.amazonaws.com"] }],
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["999988887777"] },
        { test: "ArnEquals", variable: "aws:SourceArn", values: [topicArn] },
      ],
    });
    expect(grants(out, FN).get("kms:Decrypt")).toEqual(expect.arrayContaining([keyArn]));
  });

  it("leaves another account's bucket notifications to its owner, and refuses to manage them", () => {
    // Act
    const out = synthAnalyzer({ notification: { source: "s3", manageBucketNotification: false, bucketOwnerAccountId: "999988887777" } });
    const [statement] = statementsOf(out, findResource(out, "aws_sqs_queue_policy", () => true).policy);
    // Assess
    expect(resourcesOf(out, "aws_s3_bucket_notification")).toEqual([]);
    expect(statement.condition[1]).toEqual({ test: "StringEquals", variable: "aws:SourceAccount", values: ["999988887777"] });
    expect(() => synthAnalyzer({ notification: { source: "s3", manageBucketNotification: true, bucketOwnerAccountId: "999988887777" } })).toThrow(
      /bucket org-cloudtrail-logs belongs to account 999988887777; this deployment \(111122223333\) cannot set its notifications/,
    );
  });

  it("is bundled from an entry that embeds the deployment's rules when it tunes them or brings its own", () => {
    // Prepare
    const rules: DeploymentRules = {
      tuning: { disabled: ["iam.user-created"], severity: {}, settings: {}, suppressions: {} },
      typescript: [join(__dirname, "../../../examples/rules/iam-break-glass-role-assumed.ts")],
      sigma: [],
      disabled: ["iam.user-created"],
      catalogSettings: {},
      ownRuleIds: ["iam.break-glass-role-assumed"],
    };
    // Act
    const before = bundler.entries.length;
    synthAnalyzer({}, rules);
    synthAnalyzer({}, { ...rules, tuning: { ...rules.tuning, disabled: [] }, typescript: [] });
    const [tuned, plain] = bundler.entries.slice(before).filter((e) => e.endsWith("log-analyzer.ts"));
    // Assess
    expect(tuned).toMatch(/trailwatch-entries[\\/][0-9a-f]{24}[\\/]log-analyzer\.ts$/);
    const text = readFileSync(tuned!, "utf8");
    expect(text).toContain(`import * as rule0 from ${JSON.stringify(rules.typescript[0]!.replace(/\.ts$/, ""))};`);
    expect(text).toContain('const tuning = {"disabled":["iam.user-created"],"severity":{},"settings":{},"suppressions":{}};');
    expect(text).toMatch(/export \* from ".*functions\/handlers\/log-analyzer";/);
    expect(plain).toBe("functions/handlers/log-analyzer.ts");
  });

  it("refuses a topic in another region and remediable rules' settings too large for Lambda's environment", () => {
    // Act / Assess
    expect(() => synthAnalyzer({ notification: { source: "cloudtrail-sns", topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:ct` } })).toThrow(
      /topicArn is in us-east-1, the deployment in eu-west-1/,
    );
    const huge = { "ec2.security-group-open-to-world": { allowedPorts: Array.from({ length: 900 }, (_, i) => 1000 + i) } };
    expect(() => synthAnalyzer({ remediation: { "ec2.security-group-open-to-world": "apply" } }, withSettings(huge))).toThrow(
      /environment would be \d+ bytes .* shorten the settings of the rules with a remediation/,
    );
  });
});
