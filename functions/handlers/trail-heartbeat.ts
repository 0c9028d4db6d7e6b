import type { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { QueueDepth } from "../adapters/aws/queue-depth";
import { SnsAlertSink } from "../adapters/aws/sns-alert-sink";
import { TrailControl } from "../adapters/aws/trail-status";
import { clientSettings, perRegion } from "../adapters/aws/client-settings";
import { trailHeartbeatConfig } from "./trail-heartbeat/config";
import { ClockGate, DynamoDbGate } from "../adapters/aws/heartbeat-alert-gate";
import type { AlertGate } from "../core/ports";
import { runHeartbeat, type HeartbeatReport } from "../app/trail-heartbeat/heartbeat";
import { createLogger } from "./shared/logger";

/** What tests may replace; everything else comes from the environment. */
export interface TrailHeartbeatOverrides {
  control?: TrailControl;
  dynamodb?: DynamoDBClient;
  logger?: Logger;
  now?: () => Date;
  queueDepth?: QueueDepth;
}

/**
 * Builds the trail-heartbeat Lambda handler (EventBridge schedule). Configuration is read on the first
 * run and kept. Alerts go to the alert topic; how often a persistent condition is repeated depends on
 * IDEMPOTENCY_TABLE (see `ClockGate` and `DynamoDbGate`).
 */
export function createTrailHeartbeatHandler(env: Record<string, string | undefined> = process.env, overrides: TrailHeartbeatOverrides = {}) {
  const logger = overrides.logger ?? createLogger("trail-heartbeat");
  let wired:
    | { cfg: ReturnType<typeof trailHeartbeatConfig>; control: TrailControl; gate: AlertGate; mail: SnsAlertSink; quiet: SnsAlertSink; queueDepth: QueueDepth }
    | undefined;

  function wire() {
    const cfg = trailHeartbeatConfig(env);
    const sns = new SNSClient(clientSettings());
    const gate: AlertGate = cfg.idempotencyTable
      ? new DynamoDbGate(overrides.dynamodb ?? new DynamoDBClient(clientSettings()), cfg.idempotencyTable, {
          onError: (a, err) => logger.warn("could not record an alert in the idempotency table; publishing it anyway", { alertId: a.id, error: err.message }),
        })
      : new ClockGate(cfg.periodMinutes);
    if (!cfg.idempotencyTable) logger.info("no IDEMPOTENCY_TABLE: a persistent condition is mailed about once an hour");
    return {
      cfg,
      control: overrides.control ?? new TrailControl(),
      gate,
      mail: new SnsAlertSink(sns, cfg.alertTopicArn, { email: true }),
      quiet: new SnsAlertSink(sns, cfg.alertTopicArn, { email: false }),
      queueDepth: overrides.queueDepth ?? new QueueDepth(perRegion((region) => new SQSClient(clientSettings({ region, maxAttempts: 3 })))),
    };
  }

  return async (_event: unknown, context?: Context): Promise<HeartbeatReport> => {
    if (context) logger.addContext(context);
    const w = (wired ??= wire());
    const report = await runHeartbeat({
      trails: w.cfg.protectedTrails,
      control: w.control,
      forwardDlqs: { queues: w.cfg.forwardDlqs, depth: w.queueDepth },
      maxDeliveryAgeMinutes: w.cfg.maxDeliveryAgeMinutes,
      gate: w.gate,
      publish: (alerts, email) => (email ? w.mail : w.quiet).send(alerts),
      now: overrides.now?.() ?? new Date(),
    });
    if (report.alerts.length) logger.warn("protected trails need attention", { ...report });
    else logger.info("all protected trails are logging and delivering", { checked: report.checked });
    return report;
  };
}

/** Lambda entry point: scheduled checks of the protected trails. */
export const handler = createTrailHeartbeatHandler();
