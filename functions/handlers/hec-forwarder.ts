import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { HecClient } from "../adapters/aws/hec/client";
import { SqsDeadLetterQueue } from "../adapters/aws/hec/dead-letter-queue";
import { HecAlertSink, type HecSinkOptions } from "../adapters/aws/hec/sink";
import { SecretReference } from "../adapters/aws/secret-reference";
import { hecForwarderConfig } from "./hec-forwarder/config";
import { forwardBatch } from "../app/hec-forwarder/forward";
import { createLogger, createMetrics } from "./shared/observability";
import { clientSettings } from "../adapters/aws/client-settings";

/** Time kept back from the Lambda deadline for dead-lettering and returning the batch response. */
export const RESERVE_MS = 5_000;

/** What tests may replace; everything else comes from the environment. */
export interface HecForwarderOverrides {
  logger?: Logger;
  metrics?: Metrics;
  /** Retry/backoff tuning and clock (tests shorten the backoff). */
  sink?: Pick<HecSinkOptions, "retry" | "sleep" | "random">;
}

/**
 * Builds the HEC forwarder Lambda handler (SQS event source with ReportBatchItemFailures).
 * Configuration is read on the first batch and kept with the clients (token cached with a TTL).
 */
export function createHecForwarderHandler(env: Record<string, string | undefined> = process.env, overrides: HecForwarderOverrides = {}) {
  const logger = overrides.logger ?? createLogger("hec-forwarder");
  const metrics = overrides.metrics ?? createMetrics("hec-forwarder");
  let wired: { sink: HecAlertSink; deadLetters?: SqsDeadLetterQueue } | undefined;

  function wire() {
    const cfg = hecForwarderConfig(env);
    const token = new SecretReference(cfg.token, {
      maxAgeSeconds: cfg.tokenMaxAgeSeconds,
      ...(cfg.token.kind === "secretsmanager" ? { secretsManager: new SecretsManagerClient(clientSettings()) } : { ssm: new SSMClient(clientSettings()) }),
    });
    const client = new HecClient({ endpoint: cfg.endpoint, token });
    const sink = new HecAlertSink(client, { source: cfg.source, sourcetype: cfg.sourcetype, index: cfg.index }, {
      maxBatchBytes: cfg.maxBatchBytes,
      requestTimeoutMs: cfg.requestTimeoutMs,
      logger,
      ...overrides.sink,
    });
    logger.info("forwarding alerts to HEC", { url: client.url, index: cfg.index ?? "(token default)", sourcetype: cfg.sourcetype, deadLetterQueue: cfg.dlqUrl ?? "(none)" });
    return { sink, deadLetters: cfg.dlqUrl ? new SqsDeadLetterQueue(new SQSClient(clientSettings()), cfg.dlqUrl) : undefined };
  }

  return async (event: SQSEvent, context: Pick<Context, "getRemainingTimeInMillis"> & Partial<Context>): Promise<SQSBatchResponse> => {
    if (context.awsRequestId) logger.addContext(context as Context);
    wired ??= wire();
    const deadline = Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS;
    const { batchItemFailures, summary } = await forwardBatch(event.Records ?? [], { ...wired, logger, deadline });
    logger.info("batch forwarded", { ...summary });
    metrics.addMetric("AlertsDelivered", MetricUnit.Count, summary.delivered);
    metrics.addMetric("AlertsDeadLettered", MetricUnit.Count, summary.deadLettered);
    metrics.addMetric("AlertsDeferred", MetricUnit.Count, summary.deferred);
    metrics.addMetric("HecRetries", MetricUnit.Count, summary.retries);
    metrics.publishStoredMetrics();
    return { batchItemFailures };
  };
}

/** Lambda entry point. */
export const handler = createHecForwarderHandler();
