import type { Alert } from "./alert";

/**
 * Deduplicates alerts by id within one run. The first alert is kept; later ones with the same id only
 * raise `occurrences` and move `lastEventTime`, so nothing is silently lost.
 */
export class AlertCollector {
  private readonly byId = new Map<string, Alert>();

  /** Adds an alert; returns true when it was new in this run. */
  add(alert: Alert): boolean {
    const seen = this.byId.get(alert.id);
    if (!seen) {
      this.byId.set(alert.id, { ...alert, occurrences: alert.occurrences ?? 1 });
      return true;
    }
    seen.occurrences = (seen.occurrences ?? 1) + (alert.occurrences ?? 1);
    if (!seen.lastEventTime || alert.eventTime > seen.lastEventTime) {
      if (alert.eventTime > seen.eventTime) seen.lastEventTime = alert.eventTime;
    }
    return false;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Alerts in arrival order. */
  all(): Alert[] {
    return [...this.byId.values()];
  }
}
