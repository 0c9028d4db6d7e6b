import type { Alert } from "../../../core/alert/alert";

/** Where alerts land in Splunk. `index` is optional: without it the token's default index is used. */
export interface HecEventSettings {
  source: string;
  sourcetype: string;
  index?: string;
}

/**
 * One event in Splunk's HEC JSON event protocol. `event` is the alert object itself (not a JSON
 * string inside JSON), so Splunk extracts its fields; `fields` are indexed fields that make an alert
 * findable, and a redelivered one recognisable, by `alert_id` without a search-time parse.
 */
export interface HecEvent {
  time?: number;
  host?: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: Alert;
  fields: { alert_id: string; rule: string; severity: string; account: string; mitre?: string[] };
}

/** The HEC event for an alert; `time` is the alert's eventTime in epoch seconds (millisecond precision). */
export function toHecEvent(alert: Alert, settings: HecEventSettings): HecEvent {
  const ms = Date.parse(alert.eventTime);
  const ev: HecEvent = {
    ...(Number.isFinite(ms) ? { time: Math.round(ms) / 1000 } : {}),
    ...(alert.account && alert.account !== "unknown" ? { host: alert.account } : {}),
    source: settings.source,
    sourcetype: settings.sourcetype,
    ...(settings.index ? { index: settings.index } : {}),
    event: alert,
    // ATT&CK ids as a multi-value indexed field, so searches can pick alerts by technique.
    fields: { alert_id: alert.id, rule: alert.rule, severity: alert.severity, account: alert.account, ...(alert.references?.mitre?.length ? { mitre: alert.references.mitre } : {}) },
  };
  return ev;
}
