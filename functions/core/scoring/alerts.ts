import { alertId, type Alert, type Severity } from "../alert/alert";
import { boundAlert } from "../alert/bound";
import { guidanceOf } from "../rules/alert-kinds/kind";
import { RUN_FAILED_KIND, RUN_SUMMARY_KIND, UNUSUAL_ACTIVITY_KIND } from "../rules/alert-kinds/scoring";
import { explainBuiltinScore, type BuiltinComponents } from "./builtin-scorer";
import type { ScoredPair } from "./csv";
import type { Day } from "./day";
import { isAboveThreshold } from "./threshold";

/** Rule ids of the scoring capability. */
export const UNUSUAL_ACTIVITY_RULE = "score.unusual-activity";
export const RUN_SUMMARY_RULE = "score.run-summary";
export const RUN_FAILED_RULE = "score.run-failed";

/** What a run scored: the account, region and day, where the logs were, and how. */
export interface ScoreRunContext {
  account: string;
  region: string;
  day: Day;
  /** Where the day's logs were read, e.g. `s3://bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/`. */
  logPrefix: string;
  scorer: string;
  threshold: number;
  /** The execution (or local run) id, and where its outputs are. */
  runId?: string;
  results?: string;
}

/** Severity of an unusual pair: high in the top half of the range above the threshold (and at 0.9 or more), else medium. */
export function scoreSeverity(score: number, threshold: number): Severity {
  const highCut = Math.max(0.9, threshold + (1 - threshold) / 2);
  return score >= highCut ? "high" : "medium";
}

function shortName(principal: string): string {
  const slash = principal.lastIndexOf("/");
  return slash >= 0 ? principal.slice(slash + 1) : principal;
}

function isBuiltin(c: Record<string, unknown> | undefined): c is Record<string, unknown> & BuiltinComponents {
  return !!c && typeof c.historyDays === "number" && typeof c.novelty === "number" && typeof c.volume === "number";
}

/** The reasons of a score in words, when the scorer gave them. */
export function explainScore(row: { count: number; components?: Record<string, unknown> }): string | undefined {
  return isBuiltin(row.components) ? explainBuiltinScore(row.components, row.count) : undefined;
}

/**
 * Turns the scored pairs above the threshold into `score.unusual-activity` alerts, highest score
 * first. The alert id depends on the account, region, day and pair, so re-running a day gives the
 * same ids (sinks drop the repeats).
 */
export function unusualActivityAlerts(rows: readonly ScoredPair[], run: ScoreRunContext): Alert[] {
  return rows
    .filter((r) => isAboveThreshold(r.score, run.threshold))
    .sort((a, b) => b.score - a.score || b.count - a.count)
    .map((r) => {
      const why = explainScore(r);
      return boundAlert({
        id: alertId(UNUSUAL_ACTIVITY_RULE, [run.account, run.region, run.day, r.principal, r.eventSource, r.eventName].join("|")),
        rule: UNUSUAL_ACTIVITY_RULE,
        title: "Unusual API activity for this principal",
        severity: scoreSeverity(r.score, run.threshold),
        account: run.account,
        region: run.region,
        principal: r.principal,
        principalType: r.principalType,
        eventSource: r.eventSource,
        eventName: r.eventName,
        eventTime: r.firstSeen,
        eventId: r.firstEventId || null,
        summary: `${shortName(r.principal)} called ${r.eventName} ${r.count} time(s) on ${run.day}: score ${r.score} above ${run.threshold}${why ? ` (${why})` : ""}`,
        context: {
          score: r.score,
          threshold: run.threshold,
          count: r.count,
          day: run.day,
          firstSeen: r.firstSeen,
          lastSeen: r.lastSeen,
          logPrefix: run.logPrefix,
          scorer: run.scorer,
          ...(r.components ? { components: r.components } : {}),
          ...(run.runId ? { runId: run.runId } : {}),
          ...(run.results ? { results: run.results } : {}),
        },
        remediation: null,
        ...guidanceOf(UNUSUAL_ACTIVITY_KIND),
      } satisfies Alert);
    });
}

/** Totals of a run, for its summary. */
export interface RunTotals {
  files: number;
  records: number;
  pairs: number;
  historyDays: number;
  /** Files that could not be read, or records that were unusable (counted, with the first few reasons). */
  unreadableFiles: number;
  invalidRecords: number;
  problems: string[];
}

/** True when the run is worth one email: something unusual, or something could not be read or found. */
export function summaryWorthSending(alerts: readonly Alert[], totals: RunTotals): boolean {
  return alerts.length > 0 || totals.unreadableFiles > 0 || totals.files === 0;
}

/** How many unusual pairs the summary lists by name; the rest are counted (all of them went to Splunk). */
export const SUMMARY_TOP = 25;

/**
 * The one message per run that goes to email: how many pairs were unusual, the top ones with their
 * reasons, what could not be read, and where the full results are.
 */
export function runSummaryAlert(alerts: readonly Alert[], totals: RunTotals, run: ScoreRunContext, at: Date): Alert {
  const worst = alerts.some((a) => a.severity === "high") ? "high" : alerts.length > 0 ? "medium" : totals.files === 0 || totals.unreadableFiles > 0 ? "low" : "info";
  const top: Record<string, string> = {};
  alerts.slice(0, SUMMARY_TOP).forEach((a, i) => {
    const c = a.context as { score: number; count: number; components?: Record<string, unknown> };
    const why = explainScore(c);
    top[`#${i + 1}`] = `${c.score}  ${a.principal}  ${a.eventSource} ${a.eventName} x${c.count}${why ? ` (${why})` : ""}`;
  });
  const headline = alerts.length > 0
    ? `${alerts.length} unusual (principal, API) pair(s) in ${run.account} ${run.region} on ${run.day}, of ${totals.pairs} scored (threshold ${run.threshold})`
    : totals.files === 0
      ? `No CloudTrail log files found for ${run.account} ${run.region} on ${run.day} (is the trail delivering to ${run.logPrefix}?)`
      : `Nothing unusual in ${run.account} ${run.region} on ${run.day}, but ${totals.unreadableFiles} log file(s) could not be read`;
  return boundAlert({
    id: alertId(RUN_SUMMARY_RULE, [run.account, run.region, run.day, run.runId ?? at.toISOString()].join("|")),
    rule: RUN_SUMMARY_RULE,
    title: "Scoring run summary",
    severity: worst,
    account: run.account,
    region: run.region,
    principal: "*",
    eventSource: "trailwatch.scoring",
    eventName: "ScoringRun",
    eventTime: at.toISOString(),
    eventId: null,
    summary: headline,
    context: {
      day: run.day,
      threshold: run.threshold,
      scorer: run.scorer,
      pairsScored: totals.pairs,
      unusual: alerts.length,
      ...(alerts.length > 0 ? { top } : {}),
      ...(alerts.length > SUMMARY_TOP ? { more: `${alerts.length - SUMMARY_TOP} more, each sent as its own ${UNUSUAL_ACTIVITY_RULE} alert to the non-email sinks` } : {}),
      logFiles: totals.files,
      records: totals.records,
      historyDays: totals.historyDays,
      ...(totals.unreadableFiles > 0 ? { unreadableFiles: totals.unreadableFiles } : {}),
      ...(totals.invalidRecords > 0 ? { invalidRecords: totals.invalidRecords } : {}),
      ...(totals.problems.length > 0 ? { problems: totals.problems } : {}),
      logPrefix: run.logPrefix,
      ...(run.runId ? { runId: run.runId } : {}),
      ...(run.results ? { results: run.results } : {}),
    },
    remediation: null,
    ...guidanceOf(RUN_SUMMARY_KIND),
  });
}

/** What is known about a failed run: its input (possibly invalid), the failed step and the error. */
export interface RunFailure {
  executionId: string;
  input: Record<string, unknown>;
  error: string;
  cause: string;
  at: Date;
}

/**
 * The alert for a run that failed after its retries: scoring did not happen for that day, which is
 * a gap in monitoring someone must look at.
 */
export function runFailedAlert(f: RunFailure): Alert {
  const str = (v: unknown) => (typeof v === "string" && v ? v : "unknown");
  const account = str(f.input.aws_account);
  const region = str(f.input.aws_region);
  const day = typeof f.input.day_of_interest === "string" ? f.input.day_of_interest : typeof f.input.scheduled_time === "string" ? `the day before ${f.input.scheduled_time}` : "unknown day";
  return boundAlert({
    id: alertId(RUN_FAILED_RULE, f.executionId),
    rule: RUN_FAILED_RULE,
    title: "Scoring run failed",
    severity: "high",
    account,
    region,
    principal: "*",
    eventSource: "trailwatch.scoring",
    eventName: "ScoringRun",
    eventTime: f.at.toISOString(),
    eventId: null,
    summary: `Scoring of ${account} ${region} for ${day} failed: ${f.error}: ${f.cause}`.slice(0, 1000),
    context: { execution: f.executionId, error: f.error, cause: f.cause, input: f.input },
    remediation: null,
    ...guidanceOf(RUN_FAILED_KIND),
  });
}
