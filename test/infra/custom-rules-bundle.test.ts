/**
 * A deployment with its own rules and a tuning, from the config to the deployed code: `npm run synth`'s
 * steps (load the config, bundle the log analyzer from the entry that embeds the rules, synthesize the
 * stack), then the log analyzer's bundle, taken from the synthesized stack, run as Lambda runs it on a
 * log file in S3, against moto (S3, DynamoDB, SNS delivering to an SQS queue the test reads).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Testing } from "cdktf";
import { unzipSync } from "fflate";
import type { Alert } from "../../functions/core/alert/alert";
import { loadConfig } from "../../infra/config/load";
import type { DeploymentConfig } from "../../infra/config/schema";
import { TrailwatchStack } from "../../infra/stacks/trailwatch-stack";
import { buildBundles } from "../../modules/lambda-function/bundle";
import { LogAnalyzer } from "../../modules/log-analyzer";
import { analyzerEntry } from "../../modules/platform/rules-entry";
import { startMoto, type LocalMoto } from "../support/moto";

const EXAMPLES = join(__dirname, "../../examples/rules");
const REGION = "eu-west-1";
const ACCOUNT = "111122223333";
const BUCKET = "org-trail-logs";
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

const rec = (name: string, src: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: "1.09", eventTime: "2026-11-20T10:00:00Z", eventSource: src, eventName: name, awsRegion: REGION,
  recipientAccountId: ACCOUNT, eventID: `5b1c0d4e-8f7a-4c3b-9e21-${name.padEnd(12, "0").slice(0, 12).toLowerCase().replace(/[^0-9a-f]/g, "0")}`,
  sourceIPAddress: "198.51.100.7", userAgent: "aws-cli/2.17.31", eventType: "AwsApiCall",
  userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: `arn:aws:iam::${ACCOUNT}:user/mallory`, accountId: ACCOUNT, userName: "mallory" }, ...extra,
});

describe("a deployment with its own rules", () => {
  let dir: string;
  let config: DeploymentConfig;
  let js: string;

  beforeAll(async () => {
    // Prepare: a config beside a copy of the example rules, tuned.
    dir = mkdtempSync(join(tmpdir(), "tw-custom-stack-"));
    cpSync(EXAMPLES, join(dir, "rules"), { recursive: true });
    const file = join(dir, "trailwatch.json");
    writeFileSync(file, JSON.stringify({
      namePrefix: "twc",
      deployment: { account: ACCOUNT, homeRegion: REGION },
      cloudtrailLogs: { bucket: BUCKET, layout: "account" },
      sinks: { emails: ["soc@example.com"] },
      rules: {
        folder: "rules",
        "iam.admin-policy-attached": { suppressions: [{ principal: "arn:aws:iam::*:user/mallory", reason: "mallory is the red team this week" }] },
        "sigma.aws-access-key-created-outside-office": { severity: "low" },
      },
      logAnalyzer: { enabled: true, notification: { source: "s3", manageBucketNotification: false } },
    }));
    // Act: what npm run synth does.
    config = loadConfig(file);
    await buildBundles([analyzerEntry(config.rules)]);
    const app = Testing.app();
    const stack = new TrailwatchStack(app, config);
    Testing.synth(stack);
    const analyzer = stack.node.findAll().find((c): c is LogAnalyzer => c instanceof LogAnalyzer)!;
    js = Buffer.from(unzipSync(readFileSync(analyzer.analyzer.bundle.zipPath))["index.js"]!).toString("utf8");
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("bundles the TypeScript rules, the Sigma rules compiled at synth and the tuning into the log analyzer", () => {
    expect(js).toContain("iam.break-glass-role-assumed");
    expect(js).toContain("sigma.aws-secret-policy-allows-everyone");
    expect(js).toContain("Example Security Team");
    expect(js).toContain("mallory is the red team this week");
    // The Sigma rules are embedded compiled: no YAML parser in the bundle.
    expect(js).not.toMatch(/YAMLParseError|yaml\.org/);
  });

  describe("run as Lambda runs it", () => {
    let moto: LocalMoto;
    let sqs: SQSClient;
    let queueUrl: string;
    let run: { status: number | null; stdout: string; stderr: string };

    beforeAll(async () => {
      moto = await startMoto();
      const endpoint = moto.endpoint;
      const s3 = new S3Client({ region: REGION, endpoint, credentials, forcePathStyle: true });
      const db = new DynamoDBClient({ region: REGION, endpoint, credentials });
      const sns = new SNSClient({ region: REGION, endpoint, credentials });
      sqs = new SQSClient({ region: REGION, endpoint, credentials });
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
      const key = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/20/${ACCOUNT}_CloudTrail_${REGION}_20261120T1005Z_abcd.json.gz`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(JSON.stringify({ Records: [
        rec("AssumeRole", "sts.amazonaws.com", { requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/break-glass-admin`, roleSessionName: "mallory" } }),
        rec("PutResourcePolicy", "secretsmanager.amazonaws.com", { requestParameters: { secretId: "prod/db", resourcePolicy: '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue"}]}' } }),
        rec("CreateAccessKey", "iam.amazonaws.com", { requestParameters: { userName: "mallory" } }),
        rec("AttachUserPolicy", "iam.amazonaws.com", { requestParameters: { userName: "mallory", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } }),
      ] })) }));
      await db.send(new CreateTableCommand({ TableName: "twc-idempotency", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] }));
      const topic = (await sns.send(new CreateTopicCommand({ Name: "twc-alerts" }))).TopicArn!;
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "alerts-read-by-the-test" }))).QueueUrl!;
      const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" } }));
      for (const c of [s3, db, sns]) c.destroy();

      // Act: the bundle's handler in a fresh node, with only what Lambda's environment would give it.
      const bundleDir = mkdtempSync(join(tmpdir(), "tw-custom-bundle-"));
      writeFileSync(join(bundleDir, "index.js"), js);
      const event = { Records: [{ messageId: "m1", receiptHandle: "r", body: JSON.stringify({ Records: [{ eventSource: "aws:s3", eventName: "ObjectCreated:Put", awsRegion: REGION, s3: { bucket: { name: BUCKET }, object: { key, size: 1 } } }] }), attributes: { ApproximateReceiveCount: "1" }, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:twc-log-analyzer`, awsRegion: REGION }] };
      const script = `require(${JSON.stringify(join(bundleDir, "index.js"))}).handler(${JSON.stringify(event)}, {}).then((r) => console.log("RESULT " + JSON.stringify(r)), (e) => { console.error(e.stack); process.exit(3); })`;
      run = spawnSync(process.execPath, ["-e", script], {
        encoding: "utf8",
        timeout: 120_000,
        env: {
          PATH: process.env.PATH ?? "", HOME: bundleDir, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing",
          AWS_ENDPOINT_URL: endpoint, ALERT_TOPIC_ARN: topic, IDEMPOTENCY_TABLE: "twc-idempotency", POWERTOOLS_SERVICE_NAME: "log-analyzer",
          POWERTOOLS_METRICS_NAMESPACE: "trailwatch", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      });
      rmSync(bundleDir, { recursive: true, force: true });
    }, 180_000);
    afterAll(async () => {
      sqs?.destroy();
      await moto?.stop();
    });

    it("fires your rules, tuned, and counts the suppressed match", async () => {
      // Assess: the invocation.
      expect({ status: run.status, stderr: run.stderr.slice(0, 2000) }).toEqual({ status: 0, stderr: "" });
      expect(run.stdout).toContain('RESULT {"batchItemFailures":[]}');
      // Assess: the alerts published.
      const bodies: string[] = [];
      for (let i = 0; i < 5 && bodies.length < 5; i++) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        bodies.push(...(r.Messages ?? []).map((m) => m.Body!));
      }
      const alerts = bodies.map((b) => {
        const o = JSON.parse(b) as Alert & { default?: string; sqs?: string };
        return (o.rule ? o : JSON.parse(o.sqs ?? o.default!)) as Alert;
      });
      const by = (rule: string) => alerts.find((a) => a.rule === rule);
      expect(by("iam.break-glass-role-assumed")).toMatchObject({ severity: "high", summary: `mallory assumed break-glass role arn:aws:iam::${ACCOUNT}:role/break-glass-admin in account ${ACCOUNT}` });
      expect(by("sigma.aws-secret-policy-allows-everyone")).toMatchObject({ severity: "high", context: expect.objectContaining({ attribution: 'Sigma rule "AWS Secrets Manager Secret Policy Allows Everyone" by Example Security Team' }) });
      expect(by("sigma.aws-access-key-created-outside-office")).toMatchObject({ severity: "low" });
      expect(by("iam.admin-policy-attached")).toBeUndefined();
      // Assess: the suppressed match is a metric (EMF on stdout) and in the object's log line.
      const lines = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.SuppressedMatches !== undefined && !("rule" in l))?.SuppressedMatches).toBe(1);
      expect(lines.find((l) => l.rule === "iam.admin-policy-attached" && l.SuppressedMatches !== undefined)?.SuppressedMatches).toBe(1);
      expect(lines.find((l) => l.message === "object analyzed")?.suppressed).toEqual([
        { rule: "iam.admin-policy-attached", suppression: 'rules["iam.admin-policy-attached"].suppressions[0]', reason: "mallory is the red team this week", count: 1 },
      ]);
    });
  });
});
