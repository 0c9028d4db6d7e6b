import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { catalog } from "../core/rules/catalog";
import { DynamoIdempotencyStore } from "../adapters/aws/idempotency-store";
import { DynamoThresholdStore } from "../adapters/aws/threshold-store";
import { LambdaRemediationRunner } from "../adapters/aws/remediation/lambda-runner";
import { SqsUndeliverableAlerts } from "../adapters/aws/undeliverable-alerts";
import { providedDeploymentRules } from "./shared/deployment-rules";
import { createLogAnalyzer, logAnalyzerConfig, type LogAnalyzerConfig, type LogAnalyzerDeps } from "./log-analyzer/index";
import type * as LocalRunner from "./remediator/local-runner";
import { alertSink, clientSettings, createLogger, createMetrics } from "./shared";

export * from "./log-analyzer/index";

const SERVICE = "log-analyzer";
const logger = createLogger(SERVICE);

/**
 * Module of the in-process remediation runner. Loaded by a computed path on purpose: esbuild then
 * leaves it out of the analyzer's bundle, which carries no remediation code (no EC2, IAM or
 * CloudTrail client); the deployed analyzer always has REMEDIATOR_FUNCTION when a rule is not off.
 */
const LOCAL_RUNNER_MODULE = ["./remediator", "local-runner"].join("/");

/** Where remediations run: the remediator function when configured, else (tests, local runs) in this process. */
function remediationFrom(cfg: LogAnalyzerConfig, settings: ReturnType<typeof clientSettings>, env: Record<string, string | undefined>): LogAnalyzerDeps["remediation"] {
  if (cfg.remediatorFunction) {
    // The remediator runs up to its own 60 s timeout (Lambda then answers with a function error), so
    // the socket waits 70 s; two attempts at most keep a hung call within the analyzer's own timeout.
    const lambda = new LambdaClient(clientSettings({ region: settings.region, maxAttempts: 2, requestTimeoutMs: 70_000 }));
    return new LambdaRemediationRunner({ lambda, functionName: cfg.remediatorFunction, modes: cfg.remediation });
  }
  const on = Object.entries(cfg.remediation).filter(([, mode]) => mode !== "off");
  if (on.length === 0) return { run: async () => null };
  let local: typeof LocalRunner;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    local = require(LOCAL_RUNNER_MODULE) as typeof LocalRunner;
  } catch (e) {
    throw new Error(
      `log-analyzer: REMEDIATION enables ${on.map(([id]) => id).join(", ")} but REMEDIATOR_FUNCTION is not set, and this build has no ` +
        `in-process remediation (${(e as Error).message})`,
    );
  }
  return local.createLocalRemediationRunner({
    region: cfg.region,
    modes: cfg.remediation,
    ...(cfg.functionRoleArn ? { functionRoleArn: cfg.functionRoleArn } : {}),
    logger,
    env,
    service: "log-analyzer",
  });
}

/** Wires the analyzer from the environment (validated once per container; a bad one fails every invocation with the reason). */
function fromEnvironment(env: Record<string, string | undefined>): ReturnType<typeof createLogAnalyzer> {
  // The deployment's own rules and tuning when its bundle embeds them (see deployment-rules.ts).
  const set = providedDeploymentRules();
  const rules = set?.rules ?? catalog;
  const cfg = logAnalyzerConfig(rules, env);
  const settings = clientSettings({ region: cfg.region });
  const dynamodb = new DynamoDBClient(settings);
  const deps: LogAnalyzerDeps = {
    s3: new S3Client(settings),
    idempotency: new DynamoIdempotencyStore(dynamodb, cfg.idempotencyTable, { ttlSeconds: cfg.idempotencyTtlDays * 86_400 }),
    // Threshold rules count in the same table, under their own key prefix (no other table, no other permission).
    thresholds: new DynamoThresholdStore(dynamodb, cfg.idempotencyTable),
    // Through the alert ledger when there is one: an alert the trail guard already sent is left out.
    sink: alertSink({
      sns: new SNSClient(settings),
      topicArn: cfg.alertTopicArn,
      ...(cfg.alertLedgerTable ? { ledgerTable: cfg.alertLedgerTable } : {}),
      dynamodb: () => dynamodb,
      onDuplicate: (a) => logger.info("alert already sent by the trail guard; left out", { alertId: a.id, rule: a.rule }),
      ...(cfg.undeliverableQueueUrl ? { undeliverable: new SqsUndeliverableAlerts(new SQSClient(settings), cfg.undeliverableQueueUrl) } : {}),
      onUndeliverable: ({ alert, reason }) => logger.error("alert could not be sent; put on the undeliverable-alerts queue", { alertId: alert.id, rule: alert.rule, reason }),
    }),
    catalog: rules,
    ...(set?.tune ? { tune: set.tune } : {}),
    remediation: remediationFrom(cfg, settings, env),
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
 * enable `ReportBatchItemFailures`). Remediations run in the remediator function (REMEDIATOR_FUNCTION).
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (context?.awsRequestId) logger.addContext(context);
  analyzer ??= fromEnvironment(process.env);
  return analyzer(event, context);
};
