import { BatchImportFindingsCommand, type AwsSecurityFinding, type SecurityHubClient } from "@aws-sdk/client-securityhub";
import type { Alert } from "../../core/alert/alert";
import { boundAlert } from "../../core/alert/bound";
import { ASFF_MAX_BATCH, asffFindingId, toAsffFinding, type AsffFinding, type AsffTarget } from "../../core/formats/asff";
import type { AlertSink } from "../../core/ports";
import { retryFailedEntries } from "./retry";

/** One alert to deliver, under a key the caller maps results back by (e.g. the alert id). */
export interface FindingDeliveryItem {
  key: string;
  alert: Alert;
}

/** What became of each item: imported, or refused for good with why. */
export interface FindingDeliveryReport {
  delivered: string[];
  refused: { key: string; reason: string }[];
  /** BatchImportFindings requests made (retries included). */
  requests: number;
}

export interface SecurityHubSinkOptions {
  /** Attempts for findings Security Hub lists in FailedFindings (default 3). */
  maxAttempts?: number;
  /** Base of the exponential backoff with full jitter before the n-th retry, ms (default 200). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/**
 * Imports alerts into Security Hub as ASFF findings of the account's default product
 * (`BatchImportFindings`, at most 100 per request). The finding id comes from the alert id, so a
 * repeat of an alert updates its finding. Findings Security Hub lists in `FailedFindings` are sent
 * again (`maxAttempts`), and what it still refuses is reported per item; a finding too large for
 * Security Hub is refused without a request. A request that fails as a whole (throttling past the
 * SDK's retries, access denied, Security Hub not enabled) throws: nothing of it was imported.
 */
export class SecurityHubFindingSink implements AlertSink {
  constructor(
    private readonly client: Pick<SecurityHubClient, "send">,
    private readonly target: AsffTarget,
    private readonly opts: SecurityHubSinkOptions = {},
  ) {}

  /** AlertSink port: throws when any alert was not imported. */
  async send(alerts: Alert[]): Promise<void> {
    const report = await this.deliver(alerts.map((alert, i) => ({ key: String(i), alert })));
    if (report.refused.length) throw new Error(`${report.refused.length} of ${alerts.length} alert(s) not imported into Security Hub: ${report.refused[0]!.reason}`);
  }

  async deliver(items: FindingDeliveryItem[]): Promise<FindingDeliveryReport> {
    const report: FindingDeliveryReport = { delivered: [], refused: [], requests: 0 };
    const now = this.opts.now?.() ?? new Date();
    // Items of one alert share one finding (Security Hub takes an id once per request).
    const byId = new Map<string, { finding: AsffFinding; keys: string[] }>();
    for (const it of items) {
      let finding: AsffFinding;
      try {
        finding = toAsffFinding(boundAlert(it.alert), this.target, now);
      } catch (e) {
        report.refused.push({ key: it.key, reason: `not made into a finding: ${(e as Error).message}` });
        continue;
      }
      const seen = byId.get(finding.Id);
      if (seen) {
        seen.keys.push(it.key);
        seen.finding = finding;
      } else byId.set(finding.Id, { finding, keys: [it.key] });
    }
    const all = [...byId.values()];
    for (let i = 0; i < all.length; i += ASFF_MAX_BATCH) await this.importBatch(all.slice(i, i + ASFF_MAX_BATCH), report);
    return report;
  }

  private async importBatch(batch: { finding: AsffFinding; keys: string[] }[], report: FindingDeliveryReport): Promise<void> {
    const maxAttempts = this.opts.maxAttempts ?? 3;
    const send = async (pending: typeof batch, attempt: number, last: boolean): Promise<typeof batch> => {
      report.requests++;
      const res = await this.client.send(new BatchImportFindingsCommand({ Findings: pending.map((p) => p.finding as AwsSecurityFinding) }));
      const failed = new Map((res.FailedFindings ?? []).filter((f) => f.Id !== undefined).map((f) => [f.Id!, f]));
      const retry: typeof pending = [];
      for (const p of pending) {
        const f = failed.get(p.finding.Id);
        if (!f) {
          report.delivered.push(...p.keys);
          continue;
        }
        if (!last) retry.push(p);
        else for (const key of p.keys) report.refused.push({ key, reason: `Security Hub refused finding ${p.finding.Id} after ${attempt} attempt(s): ${f.ErrorCode ?? "error"}: ${f.ErrorMessage ?? ""}`.trim() });
      }
      return retry;
    };
    await retryFailedEntries(batch, send, { maxAttempts, baseMs: this.opts.backoffMs ?? 200, ...(this.opts.sleep ? { sleep: this.opts.sleep } : {}) });
  }
}

/** The finding id an alert is imported under (for logs and tests). */
export { asffFindingId };
