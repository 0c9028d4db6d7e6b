import type { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { RuleEngine } from "../core/rules/engine";
import { SqsUndeliverableAlerts } from "../adapters/aws/undeliverable-alerts";
import { alertSink } from "./shared/alert-sink";
import { clientSettings } from "../adapters/aws/client-settings";
import { TrailControl } from "../adapters/aws/trail-status";
import { TrailGuard, type GuardOutcome } from "../app/trail-guard/guard";
import { trailGuardConfig } from "./trail-guard/config";
import { guardRules } from "../app/trail-guard/guard-rules";
import { TRAIL_TAMPERING_RULE_ID, trailTamperingRule } from "../core/rules/catalog/guard-only/cloudtrail-trail-tampering";
import { settingsOf } from "./shared/rule-env";
import { createLogger } from "./shared/logger";

/** What tests (or another wiring) may replace; everything else comes from the environment. */
export interface TrailGuardOverrides {
  control?: TrailControl;
  logger?: Logger;
  /** Clients (tests point them at local servers). */
  sns?: SNSClient;
  dynamodb?: Pick<DynamoDBClient, "send">;
  sqs?: Pick<SQSClient, "send">;
  /** Clock of the age limit. */
  now?: () => Date;
}

/**
 * Builds the trail-guard Lambda handler. Configuration is read and validated on the first event
 * (cold start) and kept; a bad configuration fails every invocation with a message naming the
 * variable, so EventBridge's retries end in the function's DLQ instead of silently dropping events.
 */
export function createTrailGuardHandler(env: Record<string, string | undefined> = process.env, overrides: TrailGuardOverrides = {}) {
  const logger = overrides.logger ?? createLogger("trail-guard");
  let guard: TrailGuard | undefined;

  function build(): TrailGuard {
    const cfg = trailGuardConfig(env);
    // Settings of the other catalog rules are the log analyzer's to check (it runs the whole catalog).
    const catalogSettings = settingsOf(guardRules, cfg.ruleSettings);
    return new TrailGuard({
      catalog: new RuleEngine(guardRules, { settings: catalogSettings }),
      fallback: new RuleEngine([trailTamperingRule], {
        settings: { [TRAIL_TAMPERING_RULE_ID]: { buckets: cfg.trailBuckets, keys: cfg.trailKeys } },
      }),
      protectedTrails: cfg.protectedTrails,
      remediation: cfg.remediation,
      control: overrides.control ?? new TrailControl(),
      // Through the alert ledger when there is one: an alert the log analyzer already sent is left out.
      sink: alertSink({
        sns: overrides.sns ?? new SNSClient(clientSettings()),
        topicArn: cfg.alertTopicArn,
        ...(cfg.alertLedgerTable ? { ledgerTable: cfg.alertLedgerTable } : {}),
        dynamodb: () => overrides.dynamodb ?? new DynamoDBClient(clientSettings()),
        onDuplicate: (a) => logger.info("alert already sent (by the log analyzer, or for an earlier delivery of this event); left out", { alertId: a.id, rule: a.rule }),
        ...(cfg.undeliverableQueueUrl ? { undeliverable: new SqsUndeliverableAlerts(overrides.sqs ?? new SQSClient(clientSettings()), cfg.undeliverableQueueUrl) } : {}),
        onUndeliverable: ({ alert, reason }) => logger.error("alert could not be sent; put on the undeliverable-alerts queue", { alertId: alert.id, rule: alert.rule, reason }),
      }),
      // From FUNCTION_ROLE_ARN: recognising its own StartLogging needs no call to STS.
      self: async () => cfg.self,
      logger,
      maxEventAgeMs: cfg.maxEventAgeMinutes * 60_000,
      ...(overrides.now ? { now: overrides.now } : {}),
    });
  }

  return async (event: unknown, context?: Context): Promise<GuardOutcome> => {
    if (context) logger.addContext(context);
    guard ??= build();
    try {
      const out = await guard.handle(event);
      if (out.outcome !== "alerted") logger.info(out.reason, { outcome: out.outcome });
      return out;
    } catch (err) {
      logger.error("trail guard failed", err as Error);
      throw err;
    }
  };
}

/** Lambda entry point: EventBridge "AWS API Call via CloudTrail" events. */
export const handler = createTrailGuardHandler();
