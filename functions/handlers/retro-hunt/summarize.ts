import type { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AlertSink } from "../../core/ports";
import { SnsAlertSink } from "../../adapters/aws/sns-alert-sink";
import { SqsUndeliverableAlerts } from "../../adapters/aws/undeliverable-alerts";
import { summarizeHunt, type SummarizeEvent, type SummarizeOutput } from "../../app/retro-hunt/summarize";
import { clientSettings } from "../../adapters/aws/client-settings";
import { summarizeEnv, type SummarizeEnv } from "./env";
import { createLogger } from "../shared/logger";

export type { SummarizeEvent, SummarizeOutput };

/** What tests (or another wiring) may replace. */
export interface SummarizeOverrides {
  s3?: S3Client;
  /** Where published alerts go (default: the alert topic through SNS, if the deployment publishes). */
  sink?: AlertSink;
  sns?: SNSClient;
  sqs?: SQSClient;
  logger?: Logger;
  now?: () => Date;
}

/**
 * The last function of the retro-hunt state machine (see `summarizeHunt`): publishes through the alert
 * topic when the deployment lets hunts publish, an alert SNS refuses going to the undeliverable-alerts
 * queue. The environment is read on the first invocation.
 */
export function createSummarizeHandler(env: Record<string, string | undefined> = process.env, overrides: SummarizeOverrides = {}) {
  const logger = overrides.logger ?? createLogger("retro-hunt-summarize");
  const now = overrides.now ?? (() => new Date());
  let cfg: SummarizeEnv | undefined;
  let s3: S3Client | undefined;

  return async (event: SummarizeEvent): Promise<SummarizeOutput> => {
    const c = (cfg ??= summarizeEnv(env));
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
    return summarizeHunt(event, c, {
      s3,
      publisher: (onUndeliverable) => {
        if (overrides.sink) return overrides.sink;
        if (!c.alertTopicArn) return undefined;
        const undeliverable = c.undeliverableQueueUrl ? new SqsUndeliverableAlerts(overrides.sqs ?? new SQSClient(clientSettings()), c.undeliverableQueueUrl) : undefined;
        return new SnsAlertSink(overrides.sns ?? new SNSClient(clientSettings()), c.alertTopicArn, { ...(undeliverable ? { undeliverable } : {}), onUndeliverable });
      },
      logger,
      now,
    });
  };
}

/** Lambda entry point, invoked by the retro-hunt state machine. */
export const handler = createSummarizeHandler();
