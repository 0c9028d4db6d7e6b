import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { SecurityHubFindingSink } from "../adapters/aws/securityhub-sink";
import { SqsUndeliverableAlerts } from "../adapters/aws/undeliverable-alerts";
import { clientSettings } from "../adapters/aws/client-settings";
import { securityHubForwarderConfig } from "./securityhub-forwarder/config";
import { forwardFindings } from "../app/securityhub-forwarder/forward";
import { createLogger, createMetrics } from "./shared/observability";

/** What tests may replace; everything else comes from the environment. */
export interface SecurityHubForwarderOverrides {
  logger?: Logger;
  metrics?: Metrics;
  securityHub?: SecurityHubClient;
  sqs?: SQSClient;
  /** Backoff between retries of failed findings (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Builds the Security Hub forwarder Lambda handler (SQS event source with ReportBatchItemFailures):
 * alerts from the alert topic's queue become ASFF findings of the account's default product.
 */
export function createSecurityHubForwarderHandler(env: Record<string, string | undefined> = process.env, overrides: SecurityHubForwarderOverrides = {}) {
  const logger = overrides.logger ?? createLogger("securityhub-forwarder");
  const metrics = overrides.metrics ?? createMetrics("securityhub-forwarder");
  let wired: { sink: SecurityHubFindingSink; undeliverable?: SqsUndeliverableAlerts } | undefined;

  function wire() {
    const cfg = securityHubForwarderConfig(env);
    const client = overrides.securityHub ?? new SecurityHubClient(clientSettings({ region: cfg.target.region }));
    const sink = new SecurityHubFindingSink(client, cfg.target, { maxAttempts: cfg.maxAttempts, ...(overrides.sleep ? { sleep: overrides.sleep } : {}) });
    const undeliverable = cfg.undeliverableQueueUrl
      ? new SqsUndeliverableAlerts(overrides.sqs ?? new SQSClient(clientSettings()), cfg.undeliverableQueueUrl, { producer: env.AWS_LAMBDA_FUNCTION_NAME ?? "securityhub-forwarder" })
      : undefined;
    logger.info("importing alerts into Security Hub", { productArn: cfg.productArn, undeliverableQueue: cfg.undeliverableQueueUrl ?? "(none)" });
    return { sink, ...(undeliverable ? { undeliverable } : {}) };
  }

  return async (event: SQSEvent, context?: Partial<Context>): Promise<SQSBatchResponse> => {
    if (context?.awsRequestId) logger.addContext(context as Context);
    wired ??= wire();
    const { batchItemFailures, summary } = await forwardFindings(event.Records ?? [], { ...wired, logger });
    logger.info("batch forwarded", { ...summary });
    metrics.addMetric("FindingsImported", MetricUnit.Count, summary.imported);
    metrics.addMetric("FindingsUndeliverable", MetricUnit.Count, summary.undeliverable);
    metrics.addMetric("FindingsRetried", MetricUnit.Count, summary.retried);
    metrics.publishStoredMetrics();
    return { batchItemFailures };
  };
}

/** Lambda entry point. */
export const handler = createSecurityHubForwarderHandler();
