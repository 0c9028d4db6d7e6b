import { Scoring, scoringSettingsSchema, type ScoringSettingsInput } from "../../../modules/scoring";
import { STATE } from "../../../modules/scoring/definition";
import { ACCOUNT, ALERT_TOPIC, HOME, findResource, functionStatements, platformStack, refTo, resourcesOf, statementsOf, synth, type Tf } from "../trail-guard/synth-support";

// Bundling is NodeFunction's concern (and the plan test's); here it is a stub that records entries.
jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("../trail-guard/synth-support").fakeBundler());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundler = require("../../../modules/lambda-function/bundle") as { entries: string[] };

const BUCKET = "org-cloudtrail-logs";
const BASE: ScoringSettingsInput = { enabled: true, cloudtrailBuckets: [BUCKET] };

function synthScoring(overrides: Partial<ScoringSettingsInput> = {}): Tf {
  const stack = platformStack();
  new Scoring(stack, "scoring", { ...scoringSettingsSchema.parse({ ...BASE, ...overrides }), alertTopicArn: ALERT_TOPIC });
  return synth(stack);
}
const platformKeyArn = (tf: Tf) => refTo(tf, "aws_kms_key", (k) => k.description.startsWith("trailwatch tw: encrypts"), "arn");
const workArn = (tf: Tf) => refTo(tf, "aws_s3_bucket", (b) => b.bucket === `tw-scoring-${ACCOUNT}-${HOME}`, "arn");
const fnArn = (tf: Tf, name: string) => refTo(tf, "aws_lambda_function", (f) => f.function_name === name, "arn");
const own = (tf: Tf, fn: string) => functionStatements(tf, fn).filter((s) => s.sid !== "WriteOwnLogGroup").map((s) => ({ sid: s.sid, actions: s.actions, resources: s.resources, ...(s.condition ? { condition: s.condition } : {}) }));

describe("Scoring", () => {
  const tf = synthScoring();

  it("deploys the three handlers, invoked synchronously by the state machine only", () => {
    expect(bundler.entries).toEqual(expect.arrayContaining(["functions/handlers/scoring/read.ts", "functions/handlers/scoring/score.ts", "functions/handlers/scoring/alert.ts"]));
    expect(resourcesOf(tf, "aws_lambda_function").map(([, f]) => [f.function_name, f.timeout]).sort()).toEqual([["tw-scoring-alert", 300], ["tw-scoring-read", 900], ["tw-scoring-score", 900]]);
    expect(resourcesOf(tf, "aws_lambda_function_event_invoke_config")).toEqual([]);
  });

  it("runs the definition the tests execute, with the real function ARNs and the configured Map concurrency", () => {
    const sm = findResource(tf, "aws_sfn_state_machine", () => true);
    const def = JSON.parse(sm.definition);
    expect(sm).toMatchObject({ name: "tw-scoring", type: "STANDARD" });
    expect(def.States[STATE.plan].Resource).toBe(fnArn(tf, "tw-scoring-read"));
    expect(def.States[STATE.score].Resource).toBe(fnArn(tf, "tw-scoring-score"));
    expect(def.States[STATE.alert].Resource).toBe(fnArn(tf, "tw-scoring-alert"));
    expect(def.States[STATE.readAll].MaxConcurrency).toBe(8);
    expect(JSON.parse(findResource(synthScoring({ mapConcurrency: 3 }), "aws_sfn_state_machine", () => true).definition).States[STATE.readAll].MaxConcurrency).toBe(3);
  });

  it("logs to a log group encrypted with the platform key, at ERROR unless ALL is asked for", () => {
    const sm = findResource(tf, "aws_sfn_state_machine", () => true);
    const lg = findResource(tf, "aws_cloudwatch_log_group", (g) => g.name === "/aws/vendedlogs/states/tw-scoring");
    expect(lg).toMatchObject({ kms_key_id: platformKeyArn(tf), retention_in_days: 90 });
    expect(sm.logging_configuration).toEqual({ log_destination: `${refTo(tf, "aws_cloudwatch_log_group", (g) => g.name === "/aws/vendedlogs/states/tw-scoring", "arn")}:*`, level: "ERROR", include_execution_data: false });
    expect(findResource(synthScoring({ logLevel: "ALL" }), "aws_sfn_state_machine", () => true).logging_configuration).toMatchObject({ level: "ALL", include_execution_data: true });
  });

  it("lets the state machine invoke exactly its three functions", () => {
    const role = findResource(tf, "aws_iam_role", (r) => r.name === "tw-scoring-state-machine");
    const policy = findResource(tf, "aws_iam_role_policy", (p) => p.name === "tw-scoring-state-machine");
    const statements = statementsOf(tf, policy.policy);
    expect(statementsOf(tf, role.assume_role_policy)).toEqual([expect.objectContaining({ principals: [{ type: "Service", identifiers: ["states.amazonaws.com"] }], condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] }] })]);
    expect(statements[0]).toMatchObject({ actions: ["lambda:InvokeFunction"], resources: [fnArn(tf, "tw-scoring-read"), fnArn(tf, "tw-scoring-score"), fnArn(tf, "tw-scoring-alert")] });
    expect(statements.slice(1).every((s: any) => s.actions.every((a: string) => a.startsWith("logs:")))).toBe(true);
  });

  it("keeps runs in a KMS-encrypted, private bucket whose runs/ and history/ expire, and which destroy empties (it holds only recomputable data)", () => {
    const bucket = findResource(tf, "aws_s3_bucket", (b) => b.bucket === `tw-scoring-${ACCOUNT}-${HOME}`);
    expect(bucket.force_destroy).toBe(true);
    const sse = findResource(tf, "aws_s3_bucket_server_side_encryption_configuration", (c) => c.bucket.includes("aws_s3_bucket.scoring_work"));
    const lifecycle = findResource(tf, "aws_s3_bucket_lifecycle_configuration", () => true);
    expect(bucket.policy).toBeUndefined();
    expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: platformKeyArn(tf) }, bucket_key_enabled: true }]);
    expect(lifecycle.rule.map((r: any) => [r.filter[0].prefix, r.expiration?.[0]?.days])).toEqual([["runs/", 30], ["history/", 45], ["", undefined]]);
    expect(findResource(tf, "aws_s3_bucket_public_access_block", (p) => p.bucket.includes("scoring_work"))).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
  });

  it("grants the read function the trail's log files under the layout's prefix and the working bucket, nothing more", () => {
    const org = synthScoring({ layout: { type: "organization", organizationId: "o-a1b2c3d4e5" }, keyPrefix: "trails/", logKmsKeyArn: `arn:aws:kms:${HOME}:${ACCOUNT}:key/abcd` });
    expect(own(org, "tw-scoring-read")).toEqual([
      { sid: "ListTrailLogFiles", actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::${BUCKET}`], condition: [{ test: "StringLike", variable: "s3:prefix", values: ["trails/AWSLogs/o-a1b2c3d4e5/*"] }] },
      { sid: "ReadTrailLogFiles", actions: ["s3:GetObject"], resources: [`arn:aws:s3:::${BUCKET}/trails/AWSLogs/o-a1b2c3d4e5/*`] },
      { sid: "DecryptTrailLogFiles", actions: ["kms:Decrypt"], resources: [`arn:aws:kms:${HOME}:${ACCOUNT}:key/abcd`] },
      { sid: "ListWorkingBucket", actions: ["s3:ListBucket"], resources: [workArn(org)] },
      { sid: "ReadWriteRunsAndHistory", actions: ["s3:GetObject", "s3:PutObject"], resources: [`${workArn(org)}/runs/*`, `${workArn(org)}/history/*`] },
      { sid: "UseDeploymentKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [platformKeyArn(org)] },
    ]);
    const env = findResource(org, "aws_lambda_function", (f) => f.function_name === "tw-scoring-read").environment.variables;
    expect(env).toMatchObject({ CLOUDTRAIL_BUCKETS: BUCKET, LOG_PREFIX: "trails/", ORGANIZATION_ID: "o-a1b2c3d4e5", HISTORY_DAYS: "14", NODE_OPTIONS: "--max-semi-space-size=64", WORK_BUCKET: refTo(org, "aws_s3_bucket", (b) => b.bucket.startsWith("tw-scoring-"), "bucket") });
  });

  it("grants sagemaker:InvokeEndpoint on the configured endpoint only, and reads no history for a model", () => {
    const model = synthScoring({ scorer: { type: "sagemaker", endpointName: "Activity-Model" }, threshold: 0.4 });
    expect(own(tf, "tw-scoring-score").flatMap((s) => s.actions)).not.toContain("sagemaker:InvokeEndpoint");
    expect(own(model, "tw-scoring-score")).toContainEqual({ sid: "InvokeScoringEndpoint", actions: ["sagemaker:InvokeEndpoint"], resources: [`arn:aws:sagemaker:${HOME}:${ACCOUNT}:endpoint/activity-model`] });
    const fn = (name: string) => findResource(model, "aws_lambda_function", (f) => f.function_name === name).environment.variables;
    expect(fn("tw-scoring-score")).toMatchObject({ SCORER: "sagemaker", SAGEMAKER_ENDPOINT: "Activity-Model" });
    expect(fn("tw-scoring-read").HISTORY_DAYS).toBe("0");
    expect(fn("tw-scoring-alert")).toMatchObject({ INSIGHT_THRESHOLD: "0.4", ALERT_TOPIC_ARN: ALERT_TOPIC });
  });

  it("lets the alert function publish to the alert topic only", () => {
    expect(own(tf, "tw-scoring-alert").find((s) => s.actions.includes("sns:Publish"))).toEqual({ sid: "PublishAlerts", actions: ["sns:Publish"], resources: [ALERT_TOPIC] });
  });

  it("deploys no schedule unless asked, and then one per account and region with a retry policy and a DLQ that alarms when not empty", () => {
    expect(resourcesOf(tf, "aws_scheduler_schedule")).toEqual([]);
    const scheduled = synthScoring({ schedules: [{ account: "444455556666", region: "eu-west-1" }, { account: "444455556666", region: "us-east-1", expression: "cron(0 4 * * ? *)" }] });
    const schedules = resourcesOf(scheduled, "aws_scheduler_schedule").map(([, s]) => s);
    const smArn = refTo(scheduled, "aws_sfn_state_machine", () => true, "arn");
    expect(schedules.map((s) => [s.name, s.schedule_expression, s.schedule_expression_timezone])).toEqual([
      ["tw-scoring-444455556666-eu-west-1", "cron(30 2 * * ? *)", "UTC"],
      ["tw-scoring-444455556666-us-east-1", "cron(0 4 * * ? *)", "UTC"],
    ]);
    expect(schedules[0].target).toMatchObject({
      arn: smArn,
      dead_letter_config: { arn: refTo(scheduled, "aws_sqs_queue", (q) => q.name === "tw-scoring-schedule-dlq", "arn") },
      retry_policy: { maximum_retry_attempts: 10 },
    });
    expect(JSON.parse(schedules[0].target.input)).toEqual({ cloudtrail_bucket: BUCKET, aws_account: "444455556666", aws_region: "eu-west-1", scheduled_time: "<aws.scheduler.scheduled-time>" });
    const policy = findResource(scheduled, "aws_iam_role_policy", (p) => p.name === "tw-scoring-scheduler");
    expect(statementsOf(scheduled, policy.policy)[0]).toMatchObject({ actions: ["states:StartExecution"], resources: [smArn] });
    expect(findResource(scheduled, "aws_sqs_queue", (q) => q.name === "tw-scoring-schedule-dlq").kms_master_key_id).toBe(platformKeyArn(scheduled));
    expect(findResource(scheduled, "aws_cloudwatch_metric_alarm", (a) => a.alarm_name === "tw-scoring-schedule-dlq")).toMatchObject({
      dimensions: { QueueName: refTo(scheduled, "aws_sqs_queue", (q) => q.name === "tw-scoring-schedule-dlq", "name") },
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: [ALERT_TOPIC],
      ok_actions: [ALERT_TOPIC],
    });
  });
});
