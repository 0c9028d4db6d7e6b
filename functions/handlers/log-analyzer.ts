import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { catalog } from "../core/rules/catalog";
import { DynamoIdempotencyStore } from "../adapters/aws/idempotency-store";
import { createRemediators, RemediationRunner, selfFromCallerIdentity, type SelfIdentity } from "../adapters/aws/remediation";
import { SnsAlertSink } from "../adapters/aws/sns-alert-sink";
import { createLogAnalyzer, logAnalyzerConfig, type LogAnalyzerDeps } from "./log-analyzer/index";
import { clientSettings, createLogger, createMetrics, errorFields, perRegion } from "./shared";

export * from "./log-analyzer/index";

const SERVICE = "log-analyzer";
const logger = createLogger(SERVICE);

/** Wires the analyzer from the environment (validated once per container; a bad one fails every invocation with the reason). */
function fromEnvironment(env: Record<string, string | undefined>): ReturnType<typeof createLogAnalyzer> {
  const cfg = logAnalyzerConfig(catalog, env);
  const settings = clientSettings({ region: cfg.region });
  const cached = <T>(make: () => T) => {
    let c: T | undefined;
    return () => (c ??= make());
  };
  // Static imports on purpose: with esbuild's single-file CJS bundle, import() made it larger and slower to load.
  const remediationClients = {
    cloudTrail: perRegion((region) => new CloudTrailClient({ ...settings, region })),
    iam: cached(() => new IAMClient(settings)),
    s3: perRegion((region) => new S3Client({ ...settings, region })),
    ec2: perRegion((region) => new EC2Client({ ...settings, region })),
  };
  // With FUNCTION_ROLE_ARN set, STS is never asked.
  const fromArn = cfg.functionRoleArn ? /^arn:[^:]+:iam::(\d{12}):role\//.exec(cfg.functionRoleArn)?.[1] : undefined;
  let self: Promise<SelfIdentity | undefined> | undefined = fromArn ? Promise.resolve({ accountId: fromArn, roleArn: cfg.functionRoleArn! }) : undefined;
  const deps: LogAnalyzerDeps = {
    s3: new S3Client(settings),
    idempotency: new DynamoIdempotencyStore(new DynamoDBClient(settings), cfg.idempotencyTable, { ttlSeconds: cfg.idempotencyTtlDays * 86_400 }),
    sink: new SnsAlertSink(new SNSClient(settings), cfg.alertTopicArn),
    catalog,
    ruleSettings: cfg.ruleSettings,
    remediation: new RemediationRunner({
      modes: cfg.remediation,
      remediators: createRemediators(remediationClients),
      // Asked once per container and only when a remediation is due; a failure is retried next time.
      self: () =>
        (self ??= new STSClient(settings)
          .send(new GetCallerIdentityCommand({}))
          .then((r) => {
            const id = selfFromCallerIdentity(r.Account, r.Arn);
            logger.info("own identity for the remediation guard", { account: id?.accountId, role: id?.roleArn });
            return id;
          })
          .catch((e: unknown) => {
            logger.warn("could not tell the function's own identity; remediation is withheld", errorFields(e));
            self = undefined;
            return undefined;
          })),
    }),
    logger,
    metrics: createMetrics(SERVICE),
    remediationRetryReceives: cfg.remediationRetryReceives,
  };
  return createLogAnalyzer(deps);
}

let analyzer: ReturnType<typeof createLogAnalyzer> | undefined;

/**
 * Lambda entry: an SQS batch of notifications of new CloudTrail log objects (S3 event
 * notifications, SNS envelopes of them, CloudTrail's SNS delivery notifications, EventBridge S3
 * events). Returns the messages that failed as `batchItemFailures` (the event source mapping must
 * enable `ReportBatchItemFailures`).
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (context?.awsRequestId) logger.addContext(context);
  analyzer ??= fromEnvironment(process.env);
  return analyzer(event, context);
};
