import type { Alert } from "../../core/alert/alert";
import { runFailedAlert, runSummaryAlert, summaryWorthSending, unusualActivityAlerts, type ScoreRunContext } from "../../core/scoring/alerts";
import { parseScoresCsv } from "../../core/scoring/csv";
import { DEFAULT_INSIGHT_THRESHOLD } from "../../core/scoring/threshold";
import { getObjectText, putObjectText } from "../../adapters/aws/s3-day-reader";
import type { AlertEvent, AlertOutcome } from "./events";
import { runKeys } from "./keys";

/** The client the S3 helpers of `s3-day-reader` take (built by the handler). */
type S3 = Parameters<typeof getObjectText>[0];

/** The alert function's settings (its environment, parsed by the handler). */
export interface AlertSettings {
  WORK_BUCKET: string;
  INSIGHT_THRESHOLD?: number;
}

/** What the alert steps work with; the handler builds each. */
export interface AlertStepDeps {
  /** The work bucket's client, asked for only by the `alert` action. */
  s3: () => S3;
  /** Publishes alerts to the alert topic, with or without email; throws when it could not. */
  publish: (alerts: Alert[], email: boolean) => Promise<void>;
  logger: { info(message: string, ...extra: Record<string, unknown>[]): void; warn(message: string, ...extra: Record<string, unknown>[]): void };
  now: () => Date;
}

/** The error Step Functions caught: `Cause` of a Lambda error is the JSON `{errorType, errorMessage, trace}`. */
function describeCause(cause: unknown): string {
  if (typeof cause !== "string") return cause === undefined ? "no cause given" : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: a States.* error's cause is plain text
  }
  return cause;
}

const INPUT_FIELDS = ["cloudtrail_bucket", "aws_account", "aws_region", "day_of_interest", "scheduled_time"] as const;

/**
 * The alert steps of the scoring state machine: `alert` turns every pair above the threshold into a
 * `score.unusual-activity` alert on the alert topic with `email = no` (Splunk and other non-email
 * subscribers get each one; the email subscription's filter skips them), then ONE `score.run-summary`
 * with `email = yes`; `failure` reports a run that failed after its retries (`score.run-failed`,
 * emailed).
 */
export function scoringAlertSteps(deps: AlertStepDeps) {
  const { logger, now } = deps;

  async function alert(ev: Extract<AlertEvent, { action: "alert" }>, c: AlertSettings): Promise<AlertOutcome> {
    const s3 = deps.s3();
    const keys = runKeys(ev.run.runPrefix);
    const text = await getObjectText(s3, c.WORK_BUCKET, ev.scores.scoresKey);
    if (text === undefined) throw new Error(`s3://${c.WORK_BUCKET}/${ev.scores.scoresKey} is missing; the score step of this run writes it`);
    const rows = parseScoresCsv(text, `s3://${c.WORK_BUCKET}/${ev.scores.scoresKey}`);
    const threshold = c.INSIGHT_THRESHOLD ?? DEFAULT_INSIGHT_THRESHOLD;
    const results = `s3://${c.WORK_BUCKET}/${ev.run.runPrefix}`;
    const run: ScoreRunContext = {
      account: ev.run.account, region: ev.run.region, day: ev.run.day, logPrefix: ev.run.logPrefix,
      scorer: ev.scores.scorer, threshold, runId: ev.run.runId, results,
    };
    const alerts = unusualActivityAlerts(rows, run);
    await putObjectText(s3, c.WORK_BUCKET, keys.alerts, alerts.map((a) => JSON.stringify(a) + "\n").join(""), "application/x-ndjson");
    if (alerts.length > 0) await deps.publish(alerts, false);
    const totals = { ...ev.read.totals, historyDays: ev.scores.historyDays };
    const summarySent = summaryWorthSending(alerts, totals);
    if (summarySent) await deps.publish([runSummaryAlert(alerts, totals, run, now())], true);
    logger.info("alerted", { runId: ev.run.runId, pairs: rows.length, unusual: alerts.length, threshold, summarySent });
    return {
      runId: ev.run.runId, account: ev.run.account, region: ev.run.region, day: ev.run.day,
      pairs: rows.length, threshold, unusual: alerts.length, summarySent, results,
    };
  }

  async function failure(ev: Extract<AlertEvent, { action: "failure" }>, _settings: AlertSettings) {
    const state = ev.state && typeof ev.state === "object" ? ev.state : {};
    const input = Object.fromEntries(INPUT_FIELDS.filter((f) => f in state).map((f) => [f, state[f]]));
    const error = (state.error ?? {}) as { Error?: unknown; Cause?: unknown };
    const a = runFailedAlert({
      executionId: ev.execution?.id ?? "unknown",
      input,
      error: typeof error.Error === "string" ? error.Error : "unknown error",
      cause: describeCause(error.Cause),
      at: now(),
    });
    await deps.publish([a], true);
    logger.warn("reported a failed run", { execution: ev.execution?.id, error: a.context.error });
    return { reported: true, alertId: a.id };
  }

  return { alert, failure };
}
