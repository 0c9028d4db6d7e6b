import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SNSClient } from "@aws-sdk/client-sns";
import { LedgerAlertSink } from "../../adapters/aws/alert-ledger-sink";
import { DynamoIdempotencyStore } from "../../adapters/aws/idempotency-store";
import { SnsAlertSink } from "../../adapters/aws/sns-alert-sink";
import type { AlertSink, UndeliverableAlert, UndeliverableAlerts } from "../../core/ports";

export interface AlertSinkSettings {
  sns: SNSClient;
  topicArn: string;
  /** The alert ledger table (ALERT_LEDGER_TABLE); without it alerts go straight to the topic. */
  ledgerTable?: string;
  /** The DynamoDB client for the ledger (only called when there is a ledger). */
  dynamodb: () => Pick<DynamoDBClient, "send">;
  /** Told about an alert left out because another function sent it already. */
  onDuplicate?: (alert: { id: string; rule: string }) => void;
  /** Where an alert SNS refuses for good goes (the undeliverable-alerts queue), so the others still go out. */
  undeliverable?: UndeliverableAlerts;
  /** Told about every alert put there. */
  onUndeliverable?: (item: UndeliverableAlert) => void;
}

/**
 * The alert topic, through the alert ledger when the deployment has one: the trail guard and the
 * log analyzer both publish this way, so an alert both raise for one event is mailed once (the
 * repeat still reaches the topic with `email=no`, for Splunk).
 */
export function alertSink(s: AlertSinkSettings): AlertSink {
  const deadLetter = { ...(s.undeliverable ? { undeliverable: s.undeliverable } : {}), ...(s.onUndeliverable ? { onUndeliverable: s.onUndeliverable } : {}) };
  const sns = new SnsAlertSink(s.sns, s.topicArn, deadLetter);
  if (!s.ledgerTable) return sns;
  // A repeat still reaches the topic, flagged email=no: Splunk gets it, mail subscriptions do not.
  return new LedgerAlertSink(sns, new DynamoIdempotencyStore(s.dynamodb(), s.ledgerTable), {
    repeatsTo: new SnsAlertSink(s.sns, s.topicArn, { email: false, ...deadLetter }),
    ...(s.onDuplicate ? { onDuplicate: s.onDuplicate } : {}),
  });
}
