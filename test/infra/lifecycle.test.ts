/**
 * The deployment lifecycle, end to end, against the moto AWS emulator: the example config, moved to
 * moto's account, is synthesized, applied with real Terraform, checked resource by resource and for
 * its wiring, planned again (no changes but the emulator's known gaps), and removed exactly as the
 * README says ("Remove it": deletion protection off, apply, destroy) after an object was put into
 * every bucket it created. Nothing may be left, and the user's own trail bucket, trail topic and HEC
 * secret must be exactly as they were.
 *
 * Needs python3 with moto's server, terraform and the provider mirror; fails (never skips) without.
 * The steps run in order and share state; each logs progress lines prefixed `[lifecycle]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { CreateKeyCommand, DescribeKeyCommand } from "@aws-sdk/client-kms";
import { GetFunctionCommand, GetFunctionConfigurationCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { CreateSecretCommand, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import type { Context, SQSEvent } from "aws-lambda";
import { TrailwatchStack } from "../../infra/stacks/trailwatch-stack";
import type { DeploymentConfig } from "../../infra/config/schema";
import { elapsed, stateResources, synthesize, TerraformCli, writeEmulatorOverride, type SynthesizedStack } from "../support/emulator-terraform";
import { MOTO_ACCOUNT, startMoto, type Moto } from "../support/moto";
import { startMotoGapProxy, type MotoGapProxy } from "../support/moto-gap-proxy";
import type { PlanJson } from "../support/terraform";
import { isPartOfAnother, leftovers } from "./lifecycle-leftovers";
import {
  actionsAllowedOn,
  cloudTrailLogFile,
  EMULATOR_ROUND_TRIP_GAPS,
  emulatorClients,
  envReferences,
  exampleForEmulator,
  planSummary,
  unexplainedChanges,
  type EmulatorClients,
  type EnvReference,
  type IamStatement,
} from "./lifecycle-support";

const STEP_TIMEOUT = 20 * 60_000;
/** Parallel resource operations: moto answers on one process; more than this only queues up there. */
const PARALLELISM = "-parallelism=16";
const ACCOUNT = MOTO_ACCOUNT;
const HOME = "eu-west-1";
const started = Date.now();
const log = (line: string): void => void process.stderr.write(`[lifecycle ${elapsed(started)}] ${line}\n`);

/** The user's own resources, created before the deployment and compared after its removal. */
const USER = {
  secretName: "trailwatch/splunk-hec-token",
  secretValue: "not-a-real-hec-token-0000",
  siemQueue: "acme-siem-intake",
  logKey: "AWSLogs/o-a1b2c3d4e5/333344445555/CloudTrail/us-east-1/2026/11/20/333344445555_CloudTrail_us-east-1_20261120T1005Z_lifecycle.json.gz",
};

let moto: Moto | undefined;
let proxy: MotoGapProxy | undefined;
let workDir: string;
let home: EmulatorClients;
let config: DeploymentConfig;
let stack: SynthesizedStack;
let tf: TerraformCli;
let statePath: string;
let planned: string[] = [];
/** The resource types of the first plan. */
const plannedTypes = () => [...new Set(planned.map((a) => a.split(".")[0]!))].sort();
let userBefore: Awaited<ReturnType<typeof snapshotUserResources>>;
let userArns: { hecSecretArn: string; trailKeyArn: string };

const prefix = () => config.namePrefix;
const bucketName = () => config.cloudtrailLogs!.bucket;
const trailTopicArn = () => trailTopicArnOf(config);
const regionOfArn = (arn: string) => arn.split(":")[3] || HOME;
const clientsByRegion = new Map<string, EmulatorClients>();
const clients = (region: string): EmulatorClients => {
  let c = clientsByRegion.get(region);
  if (!c) clientsByRegion.set(region, (c = emulatorClients(proxy!.endpoint, region)));
  return c;
};

/**
 * Creates what a user has before deploying trailwatch: the trail's KMS key, the trail bucket with a
 * log file and a SIEM's notification, the trail's topic with the SIEM's subscription, the HEC token
 * secret. Returns the ARNs the config names.
 */
async function createUserResources(trailBucket: string, topicName: string): Promise<{ hecSecretArn: string; trailKeyArn: string }> {
  const { s3, sqs, sns, secrets, kms } = home;
  const trailKeyArn = (await kms.send(new CreateKeyCommand({ Description: "acme organization trail" }))).KeyMetadata!.Arn!;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: USER.siemQueue }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  await s3.send(new CreateBucketCommand({ Bucket: trailBucket, CreateBucketConfiguration: { LocationConstraint: HOME } }));
  await s3.send(new PutObjectCommand({ Bucket: trailBucket, Key: USER.logKey, Body: cloudTrailLogFile("333344445555", "2026-11-20T10:01:02Z") }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: trailBucket,
      NotificationConfiguration: { QueueConfigurations: [{ Id: "siem-new-log-files", QueueArn: queueArn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "suffix", Value: ".json.gz" }] } } }] },
    }),
  );
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn }));
  const hecSecretArn = (await secrets.send(new CreateSecretCommand({ Name: USER.secretName, SecretString: USER.secretValue }))).ARN!;
  return { hecSecretArn, trailKeyArn };
}

/** What the user's resources look like, to compare before and after. */
async function snapshotUserResources() {
  const { s3, sns, secrets } = home;
  const notification = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucketName() }));
  const objects = (await s3.send(new ListObjectsV2Command({ Bucket: bucketName() }))).Contents?.map((o) => `${o.Key}:${o.Size}`) ?? [];
  const subscriptions = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: trailTopicArn() }))).Subscriptions?.map((s) => `${s.Protocol}:${s.Endpoint}`).sort() ?? [];
  const secret = (await secrets.send(new GetSecretValueCommand({ SecretId: USER.secretName }))).SecretString;
  const trailKey = (await home.kms.send(new DescribeKeyCommand({ KeyId: config.cloudtrailLogs!.kmsKeyArn }))).KeyMetadata!.KeyState;
  return {
    trailKey,
    queueNotifications: (notification.QueueConfigurations ?? []).map((q) => ({ id: q.Id, queue: q.QueueArn, events: q.Events })),
    otherNotifications: [...(notification.TopicConfigurations ?? []), ...(notification.LambdaFunctionConfigurations ?? [])].length,
    objects,
    subscriptions,
    secret,
  };
}

/** One SQS message as the Lambda event source mapping hands it to the function. */
function sqsEvent(messages: Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "AIDAEXAMPLE", ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: HOME,
    })),
  };
}

/** Receives from a queue until `want` messages arrived or a few seconds passed (moto delivers SNS to SQS synchronously). */
async function receive(queueUrl: string, want = 1): Promise<Message[]> {
  const got: Message[] = [];
  for (let i = 0; i < 5 && got.length < want; i++) {
    const r = await home.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30, MessageAttributeNames: ["All"] }));
    got.push(...(r.Messages ?? []));
  }
  return got;
}

/** Synthesizes `cfg` for the emulator into a fresh directory and initializes Terraform there (state stays at `statePath`). */
async function prepare(cfg: DeploymentConfig, name: string): Promise<void> {
  log(`synthesizing the example config (deletionProtection: ${cfg.deletionProtection}) into ${name}`);
  stack = synthesize((app) => new TrailwatchStack(app, cfg), join(workDir, name));
  writeEmulatorOverride(stack, proxy!.endpoint, statePath);
  tf = new TerraformCli(stack.stackDir, log, workDir);
  await tf.init();
}

beforeAll(async () => {
  log("starting moto and the gap proxy");
  moto = await startMoto();
  proxy = await startMotoGapProxy(moto.endpoint);
  log(`moto (pid ${moto.pid}) at ${moto.endpoint}, proxy at ${proxy.endpoint}`);
  workDir = mkdtempSync(join(tmpdir(), "trailwatch-lifecycle-"));
  statePath = join(workDir, "terraform.tfstate");
  home = clients(HOME);
  const draft = exampleForEmulator(ACCOUNT, { hecSecretArn: `arn:aws:secretsmanager:${HOME}:${ACCOUNT}:secret:${USER.secretName}-AbCdEf` });
  userArns = await createUserResources(draft.cloudtrailLogs!.bucket, trailTopicArnOf(draft).split(":").at(-1)!);
  config = exampleForEmulator(ACCOUNT, userArns);
  userBefore = await snapshotUserResources();
  await prepare(config, "apply");
}, 10 * 60_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  log("stopped moto and the proxy");
});

function trailTopicArnOf(cfg: DeploymentConfig): string {
  if (!cfg.logAnalyzer?.enabled || cfg.logAnalyzer.notification.source !== "cloudtrail-sns") throw new Error("the example config is expected to subscribe to the trail's SNS topic");
  return cfg.logAnalyzer.notification.topicArn;
}

describe("the example deployment on the moto emulator", () => {
  it(
    "applies every planned resource, with the state machine definition validated on the way",
    async () => {
      // Act
      log("terraform plan");
      const plan = await tf.plan(join(workDir, "apply.plan"));
      planned = plan.resource_changes.filter((r) => r.mode === "managed").map((r) => r.address);
      log(`terraform apply of ${planned.length} resources (${PARALLELISM})`);
      await tf.run(["apply", "-input=false", "-no-color", "-auto-approve", PARALLELISM, join(workDir, "apply.plan")], { label: "apply", total: planned.length });
      const inState = new Set(stateResources(await tf.state()).map((r) => r.address));
      // Assess
      expect(plan.resource_changes.filter((r) => r.mode === "managed" && r.change.actions.join() !== "create")).toEqual([]);
      expect(planned.length).toBeGreaterThan(150);
      expect(planned.filter((a) => !inState.has(a))).toEqual([]);
      expect(proxy!.validations.length).toBeGreaterThanOrEqual(1);
      expect(proxy!.validations.filter((v) => !v.valid)).toEqual([]);
      log(`applied: ${inState.size} resources in state; gap proxy handled ${JSON.stringify(proxy!.handled)}`);
    },
    STEP_TIMEOUT,
  );

  it(
    "created what it planned, as the AWS APIs see it: queues, topics, tables, functions, buckets, keys and roles",
    async () => {
      // Prepare
      const state = stateResources(await tf.state());
      const of = (type: string) => state.filter((r) => r.type === type);
      const checked: Record<string, number> = {};
      const check = async (type: string, fn: (r: (typeof state)[number]) => Promise<void>) => {
        for (const r of of(type)) await fn(r);
        checked[type] = of(type).length;
      };
      // Act / Assess
      await check("aws_sqs_queue", async (q) => {
        const attrs = (await clients(regionOfArn(q.values.arn)).sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.values.url, AttributeNames: ["All"] }))).Attributes!;
        expect([q.values.name, attrs.KmsMasterKeyId]).toEqual([q.values.name, q.values.kms_master_key_id]);
      });
      await check("aws_sns_topic", async (t) => {
        const attrs = (await clients(regionOfArn(t.values.arn)).sns.send(new GetTopicAttributesCommand({ TopicArn: t.values.arn }))).Attributes!;
        expect([t.values.name, attrs.KmsMasterKeyId]).toEqual([t.values.name, t.values.kms_master_key_id]);
      });
      await check("aws_dynamodb_table", async (t) => {
        const table = (await home.dynamodb.send(new DescribeTableCommand({ TableName: t.values.name }))).Table!;
        expect([t.values.name, table.TableStatus, table.DeletionProtectionEnabled ?? false]).toEqual([t.values.name, "ACTIVE", t.values.name === `${prefix()}-anomaly-baseline`]);
      });
      await check("aws_lambda_function", async (f) => {
        const fn = (await clients(regionOfArn(f.values.arn)).lambda.send(new GetFunctionCommand({ FunctionName: f.values.function_name }))).Configuration!;
        expect([fn.FunctionName, fn.Runtime, fn.Architectures, fn.Role]).toEqual([f.values.function_name, "nodejs22.x", ["arm64"], f.values.role]);
      });
      await check("aws_s3_bucket", async (b) => {
        await home.s3.send(new HeadBucketCommand({ Bucket: b.values.bucket }));
      });
      await check("aws_kms_key", async (k) => {
        const key = (await clients(regionOfArn(k.values.arn)).kms.send(new DescribeKeyCommand({ KeyId: k.values.key_id }))).KeyMetadata!;
        expect([k.values.arn, key.KeyState]).toEqual([k.values.arn, "Enabled"]);
      });
      await check("aws_iam_role", async (r) => {
        const role = (await home.iam.send(new GetRoleCommand({ RoleName: r.values.name }))).Role!;
        expect(role.Arn).toBe(r.values.arn);
      });
      expect(checked.aws_lambda_function).toBeGreaterThanOrEqual(10);
      log(`checked through the SDK: ${JSON.stringify(checked)}`);
    },
    STEP_TIMEOUT,
  );

  it(
    "wires every function to resources that exist, and lets its role use each of them",
    async () => {
      // Prepare
      const functions = (await home.lambda.send(new ListFunctionsCommand({}))).Functions!.filter((f) => f.FunctionName!.startsWith(`${prefix()}-`));
      const problems: string[] = [];
      let references = 0;
      // Act
      for (const f of functions) {
        const env = (await home.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: f.FunctionName }))).Environment?.Variables ?? {};
        const roleName = f.Role!.split("/").at(-1)!;
        const policyNames = (await home.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
        const statements: IamStatement[] = [];
        for (const PolicyName of policyNames) {
          const doc = (await home.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName }))).PolicyDocument!;
          const parsed = JSON.parse(decodeURIComponent(doc)) as { Statement: IamStatement | IamStatement[] };
          statements.push(...(Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]));
        }
        for (const found of envReferences(env, { partition: "aws", region: HOME, account: ACCOUNT })) {
          references++;
          const ref = found.url ? { ...found, arn: await queueArnOfUrl(found) } : found;
          const where = `${f.FunctionName} ${ref.variable}=${ref.name}`;
          const exists = ref.arn === "" ? "in no watched region" : await resourceExists(ref).catch((e: Error) => `${e.name}: ${e.message}`);
          if (exists !== true) problems.push(`${where}: no such ${ref.kind} (${exists})`);
          const need = NEEDED_ACTION[ref.kind];
          if (!need || ref.arn === f.Role || ref.variable in WATCHED_NOT_USED) continue;
          const allowed = actionsAllowedOn(statements, ref.arn);
          if (allowed.some((a) => need.test(a))) continue;
          // A topic a function is subscribed to names where its events must come from.
          if (ref.kind === "sns-topic" && (await subscribers(ref.arn)).includes(f.FunctionArn!)) continue;
          problems.push(`${where}: the role ${roleName} allows no ${need.source} on ${ref.arn} (it allows ${allowed.join(", ") || "nothing"} there), and the function is not subscribed to it`);
        }
      }
      // Assess
      expect(problems).toEqual([]);
      expect(functions.length).toBeGreaterThanOrEqual(10);
      expect(references).toBeGreaterThanOrEqual(30);
      log(`wiring: ${references} resource references in the environments of ${functions.length} functions exist and are granted`);
    },
    STEP_TIMEOUT,
  );

  it(
    "subscribes a queue or function to every topic the functions publish to, and the state machines run only functions that exist",
    async () => {
      // Prepare
      const state = stateResources(await tf.state());
      const topics = state.filter((r) => r.type === "aws_sns_topic").map((t) => t.values.arn as string);
      const problems: string[] = [];
      // Act
      for (const arn of topics) {
        const subs = (await home.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions ?? [];
        const consumers = subs.filter((s) => s.Protocol === "sqs" || s.Protocol === "lambda");
        if (consumers.length === 0) problems.push(`${arn}: no queue or function subscribed (${subs.map((s) => s.Protocol).join(", ") || "no subscription"})`);
        for (const s of consumers) {
          const name = s.Endpoint!.split(":").at(-1)!;
          const ok = s.Protocol === "sqs" ? await home.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(() => true) : await home.lambda.send(new GetFunctionCommand({ FunctionName: name })).then(() => true);
          if (!ok) problems.push(`${arn}: subscriber ${s.Endpoint} does not exist`);
        }
      }
      const machines = state.filter((r) => r.type === "aws_sfn_state_machine");
      const invoked: string[] = [];
      for (const machine of machines) {
        const definition = JSON.stringify(JSON.parse(machine.values.definition));
        const fns = [...new Set(definition.match(/arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+/g) ?? [])];
        for (const fn of fns) await home.lambda.send(new GetFunctionCommand({ FunctionName: fn })).catch((e: Error) => problems.push(`state machine ${machine.values.name} invokes ${fn}: ${e.message}`));
        invoked.push(...fns);
      }
      // Assess
      expect(problems).toEqual([]);
      expect(topics.length).toBeGreaterThanOrEqual(2);
      expect(machines.map((m) => m.values.name).sort()).toEqual([`${prefix()}-retro-hunt`, `${prefix()}-scoring`]);
      expect(invoked.map((a) => a.split(":").at(-1)).sort()).toEqual(
        ["retro-hunt-plan", "retro-hunt-scan", "retro-hunt-summarize", "scoring-alert", "scoring-read", "scoring-score"].map((n) => `${prefix()}-${n}`),
      );
      log(`topics with consumers: ${topics.length}; ${machines.length} state machines invoke ${invoked.length} existing functions`);
    },
    STEP_TIMEOUT,
  );

  it(
    "carries a new log file from the trail's topic through the deployed queue, the log analyzer's code, its tables and the alert topic to the Splunk and Security Hub queues",
    async () => {
      // Prepare: the deployed analyzer's own environment, its clients pointed at the emulator
      const analyzer = (await home.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${prefix()}-log-analyzer` }))).Environment!.Variables!;
      const queueUrl = (await home.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix()}-log-analyzer` }))).QueueUrl!;
      const queueArn = (await home.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      const hecUrl = (await home.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix()}-hec-alerts` }))).QueueUrl!;
      const findingsUrl = (await home.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix()}-securityhub-findings` }))).QueueUrl!;
      // Act: CloudTrail announces the file on its topic, as it does after each delivery
      await home.sns.send(new PublishCommand({ TopicArn: trailTopicArn(), Message: JSON.stringify({ s3Bucket: bucketName(), s3ObjectKey: [USER.logKey] }) }));
      const delivered = await receive(queueUrl);
      const response = await withEnvironment({ ...analyzer, AWS_REGION: HOME, AWS_ENDPOINT_URL: proxy!.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true" }, async () => {
        let handler!: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: unknown[] }>;
        jest.isolateModules(() => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          handler = (require("../../functions/handlers/log-analyzer") as { handler: typeof handler }).handler;
        });
        return handler(sqsEvent(delivered, queueArn), { awsRequestId: "lifecycle-1", functionName: `${prefix()}-log-analyzer` } as Context);
      });
      const alerts = (await receive(hecUrl)).map((m) => JSON.parse(m.Body!) as { rule?: string; account?: string; summary?: string });
      const findings = (await receive(findingsUrl)).map((m) => JSON.parse(m.Body!) as { rule?: string; account?: string });
      // Assess
      expect(delivered.map((m) => JSON.parse(m.Body!))).toEqual([{ s3Bucket: bucketName(), s3ObjectKey: [USER.logKey] }]);
      expect(response.batchItemFailures).toEqual([]);
      // The new user is reported (low), and recorded by the IAM change audit (info): both reach Splunk.
      expect([...alerts].sort((x, y) => String(x.rule).localeCompare(String(y.rule)))).toEqual([
        expect.objectContaining({ rule: "iam.configuration-changed", account: "333344445555", summary: expect.stringContaining("backdoor") }),
        expect.objectContaining({ rule: "iam.user-created", account: "333344445555", summary: expect.stringContaining("backdoor") }),
      ]);
      // ... and, through its own subscription (severity medium >= the configured low), to the Security Hub queue
      expect(findings).toEqual([expect.objectContaining({ rule: "iam.user-created", account: "333344445555" })]);
      const remembered = await home.dynamodb.send(new DescribeTableCommand({ TableName: analyzer.IDEMPOTENCY_TABLE }));
      expect(remembered.Table!.ItemCount ?? 1).toBeGreaterThanOrEqual(1);
      log("a log file announced on the trail topic reached the Splunk and Security Hub queues as an iam.user-created alert");
    },
    STEP_TIMEOUT,
  );

  it(
    "plans no change on a second plan, apart from the emulator's known round-trip gaps",
    async () => {
      // Act
      log("terraform plan (expecting no changes)");
      const plan: PlanJson = await tf.plan(join(workDir, "replan.plan"));
      const gaps = Object.fromEntries(Object.entries(EMULATOR_ROUND_TRIP_GAPS).map(([type, g]) => [type, g.attributes]));
      // Assess
      log(`second plan: ${planSummary(plan.resource_changes).join("; ") || "no changes"}`);
      expect(unexplainedChanges(plan.resource_changes, gaps)).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  it(
    "is removed as the README says, emptying the buckets it created, and leaves nothing behind and the user's data as it was",
    async () => {
      // Prepare: an object in every bucket the stack created. moto applies the TLS-only Deny
      // regardless of its aws:SecureTransport condition (it evaluates StringEquals only), so the
      // policy is lifted for the put and restored as it was.
      const buckets = stateResources(await tf.state()).filter((r) => r.type === "aws_s3_bucket").map((b) => b.values.bucket as string);
      for (const Bucket of buckets) {
        const policy = (await home.s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy!;
        await home.s3.send(new DeleteBucketPolicyCommand({ Bucket }));
        await home.s3.send(new PutObjectCommand({ Bucket, Key: "runs/lifecycle/left-behind.json", Body: "{}" }));
        await home.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy }));
      }
      // ... and the leftover probes see every kind of resource while it exists (so "none left" means something)
      const probe = () => leftovers({ types: plannedTypes(), regions: [HOME, ...config.regions], prefix: prefix(), clients, motoEndpoint: moto!.endpoint });
      const present = await probe();
      const seenTypes = new Set(present.map((l) => l.split(/[ :]/)[0]));
      expect(plannedTypes().filter((t) => !seenTypes.has(t) && !isPartOfAnother(t))).toEqual([]);
      // Act 1: README "Remove it", deletion protection on: turn it off and apply
      await prepare(exampleForEmulator(ACCOUNT, { ...userArns, deletionProtection: false }), "unprotect");
      const unprotect = await tf.plan(join(workDir, "unprotect.plan"));
      const allowed = { ...Object.fromEntries(Object.entries(EMULATOR_ROUND_TRIP_GAPS).map(([type, g]) => [type, g.attributes])), aws_dynamodb_table: ["deletion_protection_enabled"] };
      const tableChanges = unprotect.resource_changes.filter((r) => r.type === "aws_dynamodb_table" && r.change.actions.join() !== "no-op");
      expect(unexplainedChanges(unprotect.resource_changes, allowed)).toEqual([]);
      expect(tableChanges.map((r) => [r.change.after?.name, r.change.actions, r.change.after?.deletion_protection_enabled])).toEqual([[`${prefix()}-anomaly-baseline`, ["update"], false]]);
      log(`deletion protection off: ${planSummary(unprotect.resource_changes).join("; ")}`);
      await tf.run(["apply", "-input=false", "-no-color", "-auto-approve", PARALLELISM, join(workDir, "unprotect.plan")], { label: "apply (deletion protection off)" });
      // Act 2: destroy
      log("terraform destroy");
      await tf.run(["destroy", "-input=false", "-no-color", "-auto-approve", PARALLELISM], { label: "destroy", total: planned.length });
      // Assess: nothing in state, nothing named after the deployment left in the emulator
      expect(stateResources(await tf.state()).map((r) => r.address)).toEqual([]);
      expect(await probe()).toEqual([]);
      // ... and the user's bucket (object and the SIEM's notification), topic (the SIEM's subscription) and secret as they were
      expect(await snapshotUserResources()).toEqual(userBefore);
      const logFile = await home.s3.send(new GetObjectCommand({ Bucket: bucketName(), Key: USER.logKey }));
      expect((await logFile.Body!.transformToByteArray()).length).toBeGreaterThan(0);
      log(`destroyed; the user's bucket, topic and secret are unchanged; total ${elapsed(started)}`);
    },
    STEP_TIMEOUT,
  );
});

/**
 * Variables that name a resource the function recognises in events rather than calls: they need no
 * grant (the trail guard matches calls that touch the trail's bucket and key).
 */
const WATCHED_NOT_USED: Record<string, string> = {
  TRAIL_BUCKET_NAME: "the trail guard recognises calls that change the trail's bucket; it never reads the bucket",
  TRAIL_KMS_KEY_ARN: "the trail guard recognises calls that change the trail's key; it never uses the key",
};

/** The endpoints subscribed to a topic. */
async function subscribers(topicArn: string): Promise<string[]> {
  return ((await clients(regionOfArn(topicArn)).sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? []).map((s) => s.Endpoint!);
}

/** The action a function must be allowed on a resource its environment names (none for its own role). */
const NEEDED_ACTION: Record<EnvReference["kind"], RegExp | undefined> = {
  "sns-topic": /^sns:Publish$/,
  "sqs-queue": /^sqs:/,
  "dynamodb-table": /^dynamodb:/,
  "lambda-function": /^lambda:InvokeFunction$/,
  "s3-bucket": /^s3:/,
  secret: /^secretsmanager:GetSecretValue$/,
  // A role in the environment is an identity to recognise (its own, the analyzer's), not a resource to use.
  "iam-role": undefined,
  "kms-key": /^kms:/,
};

/**
 * The ARN of a queue given by URL: moto's queue URLs do not name the region, so the watched regions
 * are asked in turn (home first); "" when none has it.
 */
async function queueArnOfUrl(ref: EnvReference): Promise<string> {
  for (const region of [HOME, ...config.regions]) {
    const arn = await clients(region)
      .sqs.send(new GetQueueAttributesCommand({ QueueUrl: ref.url, AttributeNames: ["QueueArn"] }))
      .then((r) => r.Attributes!.QueueArn!)
      .catch(() => "");
    if (arn) return arn;
  }
  return "";
}

/** Whether the resource a reference names exists in the emulator (true, or the reason it does not). */
async function resourceExists(ref: EnvReference): Promise<true | string> {
  const c = clients(regionOfArn(ref.arn));
  switch (ref.kind) {
    case "sns-topic":
      await c.sns.send(new GetTopicAttributesCommand({ TopicArn: ref.arn }));
      return true;
    case "sqs-queue":
      await c.sqs.send(new GetQueueUrlCommand({ QueueName: ref.name.split(":").at(-1), QueueOwnerAWSAccountId: ref.arn.split(":")[4] }));
      return true;
    case "dynamodb-table":
      await c.dynamodb.send(new DescribeTableCommand({ TableName: ref.name }));
      return true;
    case "lambda-function":
      await c.lambda.send(new GetFunctionCommand({ FunctionName: ref.name }));
      return true;
    case "s3-bucket":
      await home.s3.send(new HeadBucketCommand({ Bucket: ref.name }));
      return true;
    case "iam-role":
      await home.iam.send(new GetRoleCommand({ RoleName: ref.name.split("/").at(-1) }));
      return true;
    case "secret":
      await c.secrets.send(new GetSecretValueCommand({ SecretId: ref.arn }));
      return true;
    case "kms-key":
      await c.kms.send(new DescribeKeyCommand({ KeyId: ref.arn }));
      return true;
  }
}

/** Runs `fn` with these environment variables set, then restores the environment exactly. */
async function withEnvironment<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
