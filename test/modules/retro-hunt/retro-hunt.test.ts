import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAP_LABEL, STATE } from "../../../modules/retro-hunt/definition";
import { RetroHunt, retroHuntConfigSchema, retroHuntSettingsSchema, type RetroHuntSettingsInput } from "../../../modules/retro-hunt";
import type { DeploymentRules } from "../../../modules/platform/rules-entry";
import { ACCOUNT, ALERT_TOPIC, HOME, findResource, functionStatements, platformStack, refTo, resourcesOf, statementsOf, synth, type Tf } from "../trail-guard/synth-support";

// Bundling is NodeFunction's concern (and the whole-stack plan test's); here it is a stub that records entries.
jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("../trail-guard/synth-support").fakeBundler());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundler = require("../../../modules/lambda-function/bundle") as { entries: string[] };

const BUCKET = "org-cloudtrail-logs";
const UNDELIVERABLE = { queueUrl: `https://sqs.${HOME}.amazonaws.com/${ACCOUNT}/tw-undeliverable-alerts`, queueArn: `arn:aws:sqs:${HOME}:${ACCOUNT}:tw-undeliverable-alerts` };
const BASE: RetroHuntSettingsInput = { enabled: true, bucketName: BUCKET, layout: { type: "organization", organizationId: "o-a1b2c3d4e5" } };

function synthHunt(overrides: Partial<RetroHuntSettingsInput> = {}, rules?: DeploymentRules): Tf {
  const stack = platformStack();
  new RetroHunt(stack, "retro-hunt", { ...retroHuntSettingsSchema.parse({ ...BASE, ...overrides }), alertTopicArn: ALERT_TOPIC, undeliverableAlerts: UNDELIVERABLE, ...(rules ? { rules } : {}) });
  return synth(stack);
}
const platformKeyArn = (tf: Tf) => refTo(tf, "aws_kms_key", (k) => k.description.startsWith("trailwatch tw: encrypts"), "arn");
const resultsArn = (tf: Tf) => refTo(tf, "aws_s3_bucket", (b) => b.bucket === `tw-retro-hunt-${ACCOUNT}-${HOME}`, "arn");
const resultsName = (tf: Tf) => refTo(tf, "aws_s3_bucket", (b) => b.bucket === `tw-retro-hunt-${ACCOUNT}-${HOME}`, "bucket");
const fnArn = (tf: Tf, name: string) => refTo(tf, "aws_lambda_function", (f) => f.function_name === name, "arn");
const own = (tf: Tf, fn: string) => functionStatements(tf, fn).filter((s) => s.sid !== "WriteOwnLogGroup").map((s) => ({ sid: s.sid, actions: s.actions, resources: s.resources, ...(s.condition ? { condition: s.condition } : {}) }));

describe("RetroHunt", () => {
  const tf = synthHunt();

  it("deploys the plan, scan and summarize handlers, invoked synchronously by the state machine only", () => {
    // Assess
    expect(bundler.entries).toEqual(expect.arrayContaining(["functions/handlers/retro-hunt/plan.ts", "functions/handlers/retro-hunt/scan.ts", "functions/handlers/retro-hunt/summarize.ts"]));
    expect(resourcesOf(tf, "aws_lambda_function").map(([, f]) => [f.function_name, f.timeout, f.memory_size]).sort()).toEqual([
      ["tw-retro-hunt-plan", 900, 1024], ["tw-retro-hunt-scan", 900, 2048], ["tw-retro-hunt-summarize", 900, 2048],
    ]);
    expect(resourcesOf(tf, "aws_lambda_function_event_invoke_config")).toEqual([]);
  });

  it("runs the definition the tests execute, with its functions, its results bucket and the configured map settings", () => {
    // Act
    const def = JSON.parse(findResource(synthHunt({ maxConcurrency: 25, itemsPerBatch: 500, toleratedFailurePercentage: 0, executionTimeoutHours: 48 }), "aws_sfn_state_machine", () => true).definition);
    const sm = findResource(tf, "aws_sfn_state_machine", () => true);
    // Assess
    expect(sm).toMatchObject({ name: "tw-retro-hunt", type: "STANDARD" });
    const d = JSON.parse(sm.definition);
    expect(d.States[STATE.plan].Resource).toBe(fnArn(tf, "tw-retro-hunt-plan"));
    expect(d.States[STATE.scanAll].ItemProcessor.States[STATE.scanBatch].Resource).toBe(fnArn(tf, "tw-retro-hunt-scan"));
    expect(d.States[STATE.summarize].Resource).toBe(fnArn(tf, "tw-retro-hunt-summarize"));
    expect(d.States[STATE.scanAll]).toMatchObject({ Label: MAP_LABEL, MaxConcurrency: 10, ToleratedFailurePercentage: 5, ItemBatcher: { MaxItemsPerBatch: 200 }, ItemReader: { Parameters: { Bucket: resultsName(tf) } }, ResultWriter: { Parameters: { Bucket: resultsName(tf) } } });
    expect(def.States[STATE.scanAll]).toMatchObject({ MaxConcurrency: 25, ToleratedFailurePercentage: 0, ItemBatcher: { MaxItemsPerBatch: 500 } });
    expect(def.TimeoutSeconds).toBe(48 * 3600);
  });

  it("lets the state machine invoke its three functions, start and follow its own batch executions, and use only hunts/ of its bucket", () => {
    // Act
    const statements = statementsOf(tf, findResource(tf, "aws_iam_role_policy", (p) => p.name === "tw-retro-hunt-state-machine").policy);
    // Assess
    expect(statements.map((s: any) => ({ sid: s.sid, actions: s.actions, resources: s.resources }))).toEqual([
      { sid: "InvokeTheHuntFunctions", actions: ["lambda:InvokeFunction"], resources: [fnArn(tf, "tw-retro-hunt-plan"), fnArn(tf, "tw-retro-hunt-scan"), fnArn(tf, "tw-retro-hunt-summarize")] },
      { sid: "StartBatchExecutions", actions: ["states:StartExecution"], resources: [`arn:aws:states:${HOME}:${ACCOUNT}:stateMachine:tw-retro-hunt`] },
      { sid: "FollowBatchExecutions", actions: ["states:DescribeExecution", "states:StopExecution"], resources: [`arn:aws:states:${HOME}:${ACCOUNT}:execution:tw-retro-hunt/*`] },
      { sid: "ReadManifestWriteMapResults", actions: ["s3:GetObject", "s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], resources: [`${resultsArn(tf)}/hunts/*`] },
      { sid: "UseDeploymentKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [platformKeyArn(tf)] },
      { sid: "DeliverExecutionLogs", actions: expect.arrayContaining(["logs:CreateLogDelivery"]), resources: ["*"] },
    ]);
    expect(statementsOf(tf, findResource(tf, "aws_iam_role", (r) => r.name === "tw-retro-hunt-state-machine").assume_role_policy)).toEqual([
      expect.objectContaining({ principals: [{ type: "Service", identifiers: ["states.amazonaws.com"] }], condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] }] }),
    ]);
  });

  it("lets the functions read only the trail's log folder (listing it, reading it) and write only hunts/ of the results bucket", () => {
    // Act
    const t = synthHunt({ keyPrefix: "trails/", logKmsKeyArn: `arn:aws:kms:${HOME}:${ACCOUNT}:key/abcd` });
    const hunts = `${resultsArn(t)}/hunts/*`;
    const key = { sid: "UseDeploymentKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [platformKeyArn(t)] };
    // Assess
    expect(own(t, "tw-retro-hunt-plan")).toEqual([
      { sid: "ListTrailLogFolders", actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::${BUCKET}`], condition: [{ test: "StringLike", variable: "s3:prefix", values: ["trails/AWSLogs/o-a1b2c3d4e5/*"] }] },
      { sid: "WriteManifestAndPlan", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [hunts] },
      key,
    ]);
    expect(own(t, "tw-retro-hunt-scan")).toEqual([
      { sid: "ReadTrailLogFiles", actions: ["s3:GetObject"], resources: [`arn:aws:s3:::${BUCKET}/trails/AWSLogs/o-a1b2c3d4e5/*`] },
      { sid: "DecryptTrailLogFiles", actions: ["kms:Decrypt"], resources: [`arn:aws:kms:${HOME}:${ACCOUNT}:key/abcd`] },
      { sid: "WriteBatchAlerts", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [hunts] },
      key,
    ]);
    expect(own(t, "tw-retro-hunt-summarize")).toEqual([
      { sid: "ListHuntResults", actions: ["s3:ListBucket"], resources: [resultsArn(t)], condition: [{ test: "StringLike", variable: "s3:prefix", values: ["hunts/*"] }] },
      { sid: "ReadWriteHuntFiles", actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], resources: [hunts] },
      key,
    ]);
  });

  it("lets the summary publish to the alert topic (and keep refused alerts) only when publishAlerts is on", () => {
    // Act
    const t = synthHunt({ publishAlerts: true });
    const env = (x: Tf) => findResource(x, "aws_lambda_function", (f) => f.function_name === "tw-retro-hunt-summarize").environment.variables;
    // Assess
    expect(own(t, "tw-retro-hunt-summarize").slice(3)).toEqual([
      { sid: "PublishHuntAlerts", actions: ["sns:Publish"], resources: [ALERT_TOPIC] },
      { sid: "KeepUndeliverableAlerts", actions: ["sqs:SendMessage"], resources: [UNDELIVERABLE.queueArn] },
    ]);
    expect(env(t)).toMatchObject({ ALERT_TOPIC_ARN: ALERT_TOPIC, UNDELIVERABLE_QUEUE_URL: UNDELIVERABLE.queueUrl });
    expect(env(tf).ALERT_TOPIC_ARN).toBeUndefined();
    expect(findResource(t, "aws_lambda_function", (f) => f.function_name === "tw-retro-hunt-plan").environment.variables.PUBLISH_ALLOWED).toBe("true");
  });

  it("keeps results in a KMS-encrypted, private bucket whose hunts/ expire and which destroy empties, and alarms on failed and timed-out hunts", () => {
    // Act
    const bucket = findResource(tf, "aws_s3_bucket", (b) => b.bucket === `tw-retro-hunt-${ACCOUNT}-${HOME}`);
    const lifecycle = findResource(synthHunt({ resultRetentionDays: 7 }), "aws_s3_bucket_lifecycle_configuration", () => true);
    // Assess
    expect(bucket.force_destroy).toBe(true);
    expect(findResource(tf, "aws_s3_bucket_server_side_encryption_configuration", () => true).rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: platformKeyArn(tf) }, bucket_key_enabled: true }]);
    expect(lifecycle.rule.map((r: any) => [r.filter[0].prefix, r.expiration?.[0]?.days])).toEqual([["hunts/", 7], ["", undefined]]);
    expect(findResource(tf, "aws_s3_bucket_public_access_block", () => true)).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    expect(resourcesOf(tf, "aws_cloudwatch_metric_alarm").map(([, a]) => [a.alarm_name, a.metric_name, a.alarm_actions])).toEqual([
      ["tw-retro-hunt-executions-failed", "ExecutionsFailed", [ALERT_TOPIC]],
      ["tw-retro-hunt-executions-timed-out", "ExecutionsTimedOut", [ALERT_TOPIC]],
    ]);
    expect(findResource(tf, "aws_cloudwatch_log_group", (g) => g.name === "/aws/vendedlogs/states/tw-retro-hunt")).toMatchObject({ kms_key_id: platformKeyArn(tf) });
  });

  it("bundles the scan function from an entry that embeds the deployment's tuning and own rules; the plan accepts their ids and refuses rules switched off", () => {
    // Prepare
    const rules: DeploymentRules = {
      tuning: { disabled: ["iam.user-created"], severity: {}, settings: {}, suppressions: { "iam.root-activity": [{ index: 0, path: 'rules["iam.root-activity"].suppressions[0]', reason: "sandbox", conditions: { account: ["111122223333"] } }] } },
      typescript: [join(__dirname, "../../../examples/rules/iam-break-glass-role-assumed.ts")],
      sigma: [],
      disabled: ["iam.user-created"],
      catalogSettings: {},
      ownRuleIds: ["iam.break-glass-role-assumed"],
    };
    // Act
    const before = bundler.entries.length;
    const tf = synthHunt({}, rules);
    const plain = synthHunt();
    const entries = bundler.entries.slice(before);
    // Assess
    const generated = entries.find((e) => /trailwatch-entries[\\/][0-9a-f]{24}[\\/]retro-hunt-scan\.ts$/.test(e));
    expect(generated).toBeDefined();
    const text = readFileSync(generated!, "utf8");
    expect(text).toContain('"conditions":{"account":["111122223333"]}');
    expect(text).toContain('service: "retro-hunt-scan"');
    expect(text).toMatch(/export \* from ".*functions\/handlers\/retro-hunt\/scan";/);
    const env = (t: Tf, name: string) => findResource(t, "aws_lambda_function", (f) => f.function_name === name).environment.variables as Record<string, string>;
    expect(JSON.parse(env(tf, "tw-retro-hunt-plan").OWN_RULE_IDS!)).toEqual(["iam.break-glass-role-assumed"]);
    expect(JSON.parse(env(tf, "tw-retro-hunt-plan").DISABLED_RULE_IDS!)).toEqual(["iam.user-created"]);
    expect(env(plain, "tw-retro-hunt-plan").OWN_RULE_IDS).toBeUndefined();
    expect(env(plain, "tw-retro-hunt-plan").DISABLED_RULE_IDS).toBeUndefined();
  });
});

describe("the retroHunt config section", () => {
  it("deploys nothing when off, takes sensible defaults when on, and names what is out of range", () => {
    // Assess
    expect(retroHuntConfigSchema.parse({ enabled: false })).toEqual({ enabled: false });
    expect(retroHuntSettingsSchema.parse({ enabled: true, bucketName: BUCKET })).toMatchObject({
      layout: { type: "account" }, keyPrefix: "", maxConcurrency: 10, itemsPerBatch: 200, toleratedFailurePercentage: 5, readConcurrency: 8,
      maxWindowDays: 400, resultRetentionDays: 30, publishAlerts: false, executionTimeoutHours: 24, logLevel: "ERROR", ruleSettings: {},
    });
    const bad = retroHuntSettingsSchema.safeParse({ enabled: true, bucketName: BUCKET, maxConcurrency: 0, toleratedFailurePercentage: 101, itemsPerBatch: 10_000, colour: "red" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join(".")).sort()).toEqual(["", "itemsPerBatch", "maxConcurrency", "toleratedFailurePercentage"]);
  });
});
