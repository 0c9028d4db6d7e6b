import type { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Alert } from "../../core/alert/alert";
import { SnsAlertSink } from "../../adapters/aws/sns-alert-sink";
import { classifyAwsError } from "../../adapters/aws/transient-error";
import { SqsUndeliverableAlerts } from "../../adapters/aws/undeliverable-alerts";
import { scoringAlertSteps } from "../../app/scoring/alert";
import type { AlertEvent } from "../../app/scoring/events";
import { clientSettings } from "../../adapters/aws/client-settings";
import { alertEnvSchema, type AlertEnv } from "./env";
import { parseEnv } from "../shared/env";
import { createLogger } from "../shared/logger";

export interface AlertOverrides {
  s3?: S3Client;
  sns?: SNSClient;
  sqs?: Pick<SQSClient, "send">;
  logger?: Logger;
  now?: () => Date;
}

/**
 * The alert function of the scoring state machine: the `alert` and `failure` actions of
 * `scoringAlertSteps`, publishing through the alert topic (an alert SNS refuses for good goes to the
 * undeliverable-alerts queue when one is configured). The environment is read on the first invocation.
 */
export function createAlertHandler(env: Record<string, string | undefined> = process.env, overrides: AlertOverrides = {}) {
  const logger = overrides.logger ?? createLogger("scoring-alert");
  let cfg: AlertEnv | undefined;
  let s3: S3Client | undefined;
  let sns: SNSClient | undefined;
  let undeliverable: SqsUndeliverableAlerts | undefined;

  async function publish(alerts: Alert[], email: boolean, c: AlertEnv): Promise<void> {
    sns ??= overrides.sns ?? new SNSClient(clientSettings());
    if (c.UNDELIVERABLE_QUEUE_URL) undeliverable ??= new SqsUndeliverableAlerts(overrides.sqs ?? new SQSClient(clientSettings()), c.UNDELIVERABLE_QUEUE_URL);
    try {
      await new SnsAlertSink(sns, c.ALERT_TOPIC_ARN, {
        email,
        ...(undeliverable ? { undeliverable } : {}),
        onUndeliverable: ({ alert, reason }) => logger.error("alert could not be sent; put on the undeliverable-alerts queue", { alertId: alert.id, rule: alert.rule, reason }),
      }).send(alerts);
    } catch (e) {
      throw classifyAwsError(e, `publishing ${alerts.length} alert(s) to ${c.ALERT_TOPIC_ARN}`);
    }
  }

  return async (event: AlertEvent): Promise<unknown> => {
    const c = (cfg ??= parseEnv("scoring-alert", alertEnvSchema, env));
    const steps = scoringAlertSteps({
      s3: () => (s3 ??= overrides.s3 ?? new S3Client(clientSettings())),
      publish: (alerts, email) => publish(alerts, email, c),
      logger,
      now: overrides.now ?? (() => new Date()),
    });
    try {
      switch (event?.action) {
        case "alert":
          return await steps.alert(event, c);
        case "failure":
          return await steps.failure(event, c);
        default:
          throw new Error(`unknown action ${JSON.stringify((event as { action?: unknown })?.action)}; expected alert or failure`);
      }
    } catch (err) {
      logger.error(`scoring alert (${event?.action}) failed`, err as Error);
      throw err;
    }
  };
}

/** Lambda entry point, invoked by the scoring state machine. */
export const handler = createAlertHandler();
