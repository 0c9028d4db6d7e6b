import type { Alert } from "../alert/alert";
import { csvRow } from "./csv-cell";

/** The columns of `--format csv`, in order. New columns are only ever added at the end. */
export const ALERT_CSV_COLUMNS = [
  "id", "severity", "rule", "title", "account", "region", "principal", "principal_type", "event_source", "event_name",
  "event_time", "last_event_time", "occurrences", "event_id", "summary", "mitre", "stratus", "remediation", "log_integrity", "context",
] as const;

function remediationText(a: Alert): string {
  const r = a.remediation;
  return r ? `${r.status} (${r.mode}) ${r.action}: ${r.detail}` : "";
}

function integrityText(a: Alert): string {
  const i = (a.context as { logIntegrity?: { status?: unknown } }).logIntegrity;
  return typeof i?.status === "string" ? i.status : "";
}

/** One alert as the cells of a CSV row, in {@link ALERT_CSV_COLUMNS} order. */
export function alertCsvCells(a: Alert): (string | number)[] {
  return [
    a.id, a.severity, a.rule, a.title, a.account, a.region, a.principal, a.principalType ?? "", a.eventSource, a.eventName,
    a.eventTime, a.lastEventTime ?? "", a.occurrences ?? 1, a.eventId ?? "", a.summary,
    (a.references?.mitre ?? []).join(" "), (a.references?.stratus ?? []).join(" "), remediationText(a), integrityText(a), JSON.stringify(a.context ?? {}),
  ];
}

/** Alerts as a CSV file for spreadsheets: a header row, one row per alert, stable columns, RFC 4180. */
export function alertsToCsv(alerts: readonly Alert[]): string {
  let out = csvRow(ALERT_CSV_COLUMNS);
  for (const a of alerts) out += csvRow(alertCsvCells(a));
  return out;
}
