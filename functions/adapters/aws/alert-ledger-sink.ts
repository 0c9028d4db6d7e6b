import type { Alert } from "../../core/alert/alert";
import type { AlertSink } from "../../core/ports";
import type { DynamoIdempotencyStore } from "./idempotency-store";

/** Another function is sending this alert right now; retry later (its lock expires if it dies). */
export class AlertInFlightError extends Error {
  override name = "AlertInFlightError";
  readonly transient = true;
}

export interface AlertLedgerOptions {
  /** How long a claim holds while the alert is being published (default 60 s). */
  lockSeconds?: number;
  /**
   * Where an alert goes that was sent already (by another function, or earlier within the rule's
   * dedup window): e.g. the topic without the `email` attribute, so Splunk still gets the later
   * copy (with its occurrence count and remediation outcome) and nobody gets a second mail. Without
   * it the repeat is left out.
   */
  repeatsTo?: AlertSink;
  /** Told about every alert that was sent already. */
  onDuplicate?: (alert: Alert) => void;
}

/** The ledger key of an alert (alert ids are stable: the same rule and event always give the same id). */
export function ledgerKey(alertId: string): string {
  return `alert#${alertId}`;
}

/**
 * Sends each alert once across functions. The trail guard (real time, from EventBridge) and the log
 * analyzer (minutes later, from the log file; the backstop when an EventBridge delivery is lost) can
 * raise the same alert for the same event. Both publish through this sink over one ledger table, so
 * the first one sends it and the second one only passes it to `repeatsTo` (no mail), and people get
 * one mail, not two.
 *
 * Per alert: claim `alert#<id>` (conditional UpdateItem), publish, mark it done. Nothing is lost: a
 * failed publish releases the claim and rethrows (the caller's retry sends it); an alert another
 * function is publishing at this moment throws {@link AlertInFlightError}, so the caller retries
 * rather than assume the other function will succeed.
 */
export class LedgerAlertSink implements AlertSink {
  constructor(
    private readonly inner: AlertSink,
    private readonly ledger: DynamoIdempotencyStore,
    private readonly opts: AlertLedgerOptions = {},
  ) {}

  async send(alerts: Alert[]): Promise<void> {
    for (const alert of alerts) {
      const claim = await this.ledger.claim(ledgerKey(alert.id), this.opts.lockSeconds ?? 60, { rule: alert.rule });
      if (claim.status === "completed") {
        this.opts.onDuplicate?.(alert);
        await this.opts.repeatsTo?.send([alert]);
        continue;
      }
      if (claim.status === "in-progress") {
        throw new AlertInFlightError(`alert ${alert.id} (${alert.rule}) is being sent by another function right now; retry later`);
      }
      try {
        await this.inner.send([alert]);
      } catch (err) {
        await this.ledger.release(claim).catch(() => undefined);
        throw err;
      }
      await this.ledger.complete(claim, { rule: alert.rule });
    }
  }
}
