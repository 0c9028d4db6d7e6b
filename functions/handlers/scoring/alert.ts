import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { runFailedAlert, runSummaryAlert, summaryWorthSending, unusualActivityAlerts, type ScoreRunContext } from "../../core/scoring/alerts";
import { parseScoresCsv } from "../../core/scoring/csv";
import { DEFAULT_INSIGHT_THRESHOLD } from "../../core/scoring/threshold";
import { getObjectText, putObjectText } from "../../adapters/aws/s3-day-reader";
import { SnsAlertSink } from "../../adapters/aws/sns-alert-sink";
import { classifyAwsError } from "../../adapters/aws/transient-error";
import { SqsUndeliverableAlerts } from "../../adapters/aws/undeliverable-alerts";
import { clientSettings } from "../../adapters/aws/client-settings";
import { alertEnvSchema, parseEnv, type AlertEnv } from "./env";
import type { AlertEvent, AlertOutcome } from "./events";
import { runKeys } from "./keys";

export interface AlertOverrides {
  s3?: S3Client;
  sns?: SNSClient;
  sqs?: Pick<SQSClient, "send">;
  logger?: Logger;
  now?: () => Date;
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
 * The alert function: every pair above the threshold becomes a `score.unusual-activity` alert on
 * the alert topic with `email = no` (Splunk and other non-email subscribers get each one; the email
 * subscription's filter skips them), then ONE `score.run-summary` with `email = yes`. The `failure`
 * action reports a run that failed after its retries (`score.run-failed`, emailed).
 */
export function createAlertHandler(env: Record<string, string | undefined> = process.env, overrides: AlertOverrides = {}) {
  const logger = overrides.logger ?? new Logger({ serviceName: "scoring-alert" });
  const now = overrides.now ?? (() => new Date());
  let cfg: AlertEnv | undefined;
  let s3: S3Client | undefined;
  let sns: SNSClient | undefined;
  let undeliverable: SqsUndeliverableAlerts | undefined;

  async function publish(alerts: Parameters<SnsAlertSink["send"]>[0], email: boolean, c: AlertEnv): Promise<void> {
    sns ??= overrides.sns ?? new SNSClient(clientSettings());
    if (c.UNDELIVERABLE_QUEUE_URL) undeliverable ??= new SqsUndeliverableAlerts(overrides.sqs ?? new SQSClient(clientSettings()), c.UNDELIVERABLE_QUEUE_URL);
    try {
      await new SnsAlertSink(sns, c.ALERT_TOPIC_ARN, {
        email,
        ...(undeliverable ? { undeliverable } : {}),
        onUndeliverable: ({ alert, reason }) => logger.error("alert could not be sent; put on the undeliverable-alerts queue", { alertId: alert.id, rule: alert.rule, reason }),
      }).send(alerts);
    } catch (e) {
      throw classifyAwsError(e, `publishing ${alerts.length} alert(s) to ${c.ALERT_TOPIC_ARN}`);
    }
  }

  async function alert(ev: Extract<AlertEvent, { action: "alert" }>, c: AlertEnv): Promise<AlertOutcome> {
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
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
    if (alerts.length > 0) await publish(alerts, false, c);
    const totals = { ...ev.read.totals, historyDays: ev.scores.historyDays };
    const summarySent = summaryWorthSending(alerts, totals);
    if (summarySent) await publish([runSummaryAlert(alerts, totals, run, now())], true, c);
    logger.info("alerted", { runId: ev.run.runId, pairs: rows.length, unusual: alerts.length, threshold, summarySent });
    return {
      runId: ev.run.runId, account: ev.run.account, region: ev.run.region, day: ev.run.day,
      pairs: rows.length, threshold, unusual: alerts.length, summarySent, results,
    };
  }

  async function failure(ev: Extract<AlertEvent, { action: "failure" }>, c: AlertEnv) {
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
    await publish([a], true, c);
    logger.warn("reported a failed run", { execution: ev.execution?.id, error: a.context.error });
    return { reported: true, alertId: a.id };
  }

  return async (event: AlertEvent): Promise<unknown> => {
    cfg ??= parseEnv(alertEnvSchema, env, "scoring alert");
    try {
      switch (event?.action) {
        case "alert":
          return await alert(event, cfg);
        case "failure":
          return await failure(event, cfg);
        default:
          throw new Error(`unknown action ${JSON.stringify((event as { action?: unknown })?.action)}; expected alert or failure`);
      }
    } catch (err) {
      logger.error(`scoring alert (${event?.action}) failed`, err as Error);
      throw err;
    }
  };
}

/** Lambda entry point, invoked by the scoring state machine. */
export const handler = createAlertHandler();
