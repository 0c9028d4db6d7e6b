import type { Alert } from "../core/alert/alert";
import type { IntegrityReport, LogStatus } from "../core/integrity/verify";

/** How bad a file's status is for the alerts that came from it (worst first when sorted descending). */
const RANK: Record<LogStatus, number> = { valid: 0, "not-covered": 1, unreadable: 2, deleted: 3, modified: 4 };
/** Files named per alert at most; the rest are counted. */
const MAX_FILES_PER_ALERT = 5;

/** The files each alert's events came from (deduplicated alerts can come from several). */
export class AlertFiles {
  private readonly byAlert = new Map<string, Set<string>>();

  add(alertId: string, fileId: string): void {
    let s = this.byAlert.get(alertId);
    if (!s) this.byAlert.set(alertId, (s = new Set()));
    s.add(fileId);
  }

  of(alertId: string): string[] {
    return [...(this.byAlert.get(alertId) ?? [])];
  }
}

/**
 * What `scan --verify` puts in `alert.context.logIntegrity`. For a threshold rule's alert the file is
 * the one whose events reached the threshold.
 */
export interface AlertIntegrity {
  /** The worst status among the files the alert's events came from. */
  status: LogStatus;
  files: { file: string; status: LogStatus; reason?: string }[];
  /** Files not listed in `files` (more than five). */
  moreFiles?: number;
}

/**
 * Marks every alert with the integrity of the log files it came from, in `context.logIntegrity`
 * (the alert shape stays the same everywhere; context is where per-alert evidence goes). A file the
 * verification did not see at all is `not-covered`: no digest vouches for it. Returns how many alerts
 * came from a file that is not valid.
 */
export function markAlertIntegrity(alerts: Alert[], files: AlertFiles, report: IntegrityReport): number {
  const byId = new Map(report.logs.map((l) => [l.id, l]));
  let notValid = 0;
  for (const a of alerts) {
    const list = files.of(a.id).map((f) => {
      const r = byId.get(f);
      return r ? { file: f, status: r.status, ...(r.reason ? { reason: r.reason } : {}) } : { file: f, status: "not-covered" as const, reason: "not listed in any digest of the window" };
    });
    list.sort((x, y) => RANK[y.status] - RANK[x.status] || x.file.localeCompare(y.file));
    const status: LogStatus = list[0]?.status ?? "not-covered";
    const mark: AlertIntegrity = { status, files: list.slice(0, MAX_FILES_PER_ALERT), ...(list.length > MAX_FILES_PER_ALERT ? { moreFiles: list.length - MAX_FILES_PER_ALERT } : {}) };
    a.context = { ...a.context, logIntegrity: mark };
    if (status !== "valid") notValid++;
  }
  return notValid;
}
