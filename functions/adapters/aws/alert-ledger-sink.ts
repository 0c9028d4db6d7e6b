import type { Alert } from "../../core/alert/alert";
import type { AlertSink } from "../../core/ports";
import { mapLimit } from "../../core/concurrency";
import type { DynamoIdempotencyStore, OwnClaim } from "./idempotency-store";

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

/** Ledger calls in flight at once: enough to hide DynamoDB's round trips, few enough not to throttle. */
const LEDGER_CONCURRENCY = 8;

/**
 * Sends each alert once across functions. The trail guard (real time, from EventBridge) and the log
 * analyzer (minutes later, from the log file; the backstop when an EventBridge delivery is lost) can
 * raise the same alert for the same event. Both publish through this sink over one ledger table, so
 * the first one sends it and the second one only passes it to `repeatsTo` (no mail), and people get
 * one mail, not two.
 *
 * Claim `alert#<id>` for every alert (conditional UpdateItem, a few at a time), publish the claimed
 * ones in one call to the inner sink (SNS batches them), mark them done. Nothing is lost: a failed
 * publish releases the claims and rethrows (the caller's retry sends them); an alert another function
 * is publishing at this moment throws {@link AlertInFlightError} once the others are sent, so the
 * caller retries rather than assume the other function will succeed.
 */
export class LedgerAlertSink implements AlertSink {
  constructor(
    private readonly inner: AlertSink,
    private readonly ledger: DynamoIdempotencyStore,
    private readonly opts: AlertLedgerOptions = {},
  ) {}

  async send(alerts: Alert[]): Promise<void> {
    const lockSeconds = this.opts.lockSeconds ?? 60;
    const claims = await mapLimit(alerts, LEDGER_CONCURRENCY, async (alert) => {
      try {
        return { alert, claim: await this.ledger.claim(ledgerKey(alert.id), lockSeconds, { rule: alert.rule }) };
      } catch (error) {
        return { alert, error: error instanceof Error ? error : new Error(String(error)) };
      }
    });
    const repeats: Alert[] = [];
    const claimed: { alert: Alert; claim: OwnClaim }[] = [];
    let failure: Error | undefined;
    let inFlight: Alert | undefined;
    for (const c of claims) {
      if (c.claim === undefined) failure ??= c.error;
      else if (c.claim.status === "completed") repeats.push(c.alert);
      else if (c.claim.status === "in-progress") inFlight ??= c.alert;
      else claimed.push({ alert: c.alert, claim: c.claim });
    }
    // The claimed alerts first: a failure after them (a repeat the other sink refuses) leaves no claim held.
    if (claimed.length > 0) {
      try {
        await this.inner.send(claimed.map((c) => c.alert));
      } catch (err) {
        await mapLimit(claimed, LEDGER_CONCURRENCY, (c) => this.ledger.release(c.claim).catch(() => undefined));
        throw err;
      }
      await mapLimit(claimed, LEDGER_CONCURRENCY, (c) => this.ledger.complete(c.claim, { rule: c.alert.rule }));
    }
    for (const alert of repeats) this.opts.onDuplicate?.(alert);
    if (repeats.length > 0) await this.opts.repeatsTo?.send(repeats);
    if (failure) throw failure;
    if (inFlight) throw new AlertInFlightError(`alert ${inFlight.id} (${inFlight.rule}) is being sent by another function right now; retry later`);
  }
}
