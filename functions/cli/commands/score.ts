import Table from "cli-table3";
import type { Alert } from "../../core/alert/alert";
import { explainScore, runSummaryAlert, unusualActivityAlerts, type RunTotals, type ScoreRunContext } from "../../core/scoring/alerts";
import { BuiltinScorer } from "../../core/scoring/builtin-scorer";
import type { ScoredPair } from "../../core/scoring/csv";
import { isDay, precedingDays, type Day } from "../../core/scoring/day";
import type { DayPairs } from "../../core/scoring/history";
import { ACCOUNT_ID, REGION } from "../../core/aws/identifiers";
import { readPairs, type ReadResult } from "../../core/scoring/read-day";
import { parseThreshold, ThresholdError } from "../../core/scoring/threshold";
import { LocalLogSource } from "../../adapters/local/log-source";
import { dayDirs, findRegionDirs } from "../../adapters/local/log-days";
import { shortPrincipal } from "../../core/record/principal";
import { terminalSafeJson } from "../output";
import { cell, tableStyle } from "../terminal";
import { EXIT_UNREADABLE, UsageError } from "./scan";

export interface ScoreCommandOptions {
  account: string;
  region: string;
  day: string;
  threshold?: string;
  historyDays?: string;
  format?: "table" | "jsonl";
}

/** What a local scoring run found (returned for tests; the CLI prints it). */
export interface ScoreRun {
  code: number;
  rows: ScoredPair[];
  alerts: Alert[];
  totals: RunTotals;
  historyDays: number;
  regionDirs: string[];
}

function checkOptions(o: ScoreCommandOptions): { threshold: number; historyDays: number } {
  const problems: string[] = [];
  if (!ACCOUNT_ID.test(o.account ?? "")) problems.push(`--account must be a 12-digit account id (got "${o.account}")`);
  if (!REGION.test(o.region ?? "")) problems.push(`--region must be a region name such as us-east-1 (got "${o.region}")`);
  if (!isDay(o.day ?? "")) problems.push(`--day must be a real calendar day written YYYY/MM/DD (got "${o.day}")`);
  const historyDays = o.historyDays === undefined ? 14 : Number(o.historyDays);
  if (!Number.isInteger(historyDays) || historyDays < 0 || historyDays > 90) problems.push(`--history-days must be an integer from 0 to 90 (got "${o.historyDays}")`);
  let threshold = 0;
  try {
    threshold = o.threshold !== undefined ? parseThreshold(o.threshold, "--threshold") : parseThreshold(process.env.INSIGHT_THRESHOLD, "INSIGHT_THRESHOLD");
  } catch (e) {
    if (!(e instanceof ThresholdError)) throw e;
    problems.push(e.message);
  }
  if (problems.length > 0) throw new UsageError(problems.join("; "));
  return { threshold, historyDays };
}

async function readDay(regionDirs: string[], day: Day): Promise<ReadResult & { dirs: string[] }> {
  const dirs = await dayDirs(regionDirs, day);
  const res = await readPairs(new LocalLogSource(dirs), { concurrency: 4 });
  return { ...res, dirs };
}

function scoreTable(alerts: readonly Alert[], width: number): string {
  const whyWidth = Math.max(30, width - 70);
  const table = new Table({ head: ["score", "principal", "API", "count", "why"], colWidths: [7, 28, 32, 8, whyWidth], wordWrap: true, style: tableStyle(false) });
  for (const a of alerts) {
    const c = a.context as { score: number; count: number; components?: Record<string, unknown> };
    table.push([cell(c.score), cell(shortPrincipal(a.principal)), cell(`${a.eventSource.replace(".amazonaws.com", "")} ${a.eventName}`), cell(c.count), cell(explainScore(c) ?? "")]);
  }
  return table.toString();
}

/**
 * `trailwatch score PATH... --account ID --region R --day YYYY/MM/DD`: the scoring state machine's
 * read, score and alert steps on local files, with the built-in scorer. History comes from the
 * preceding days' folders under the same paths. Exit codes: 0 done; 2 the day had no log files or
 * some could not be read; 1 bad options.
 */
export async function runScore(paths: string[], o: ScoreCommandOptions): Promise<number> {
  return (await scoreLocal(paths, o)).code;
}

/** {@link runScore} that also returns what it found. */
export async function scoreLocal(paths: string[], o: ScoreCommandOptions, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<ScoreRun> {
  const { threshold, historyDays } = checkOptions(o);
  const regionDirs = await findRegionDirs(paths, o.account, o.region);
  if (regionDirs.length === 0) {
    throw new UsageError(`no ${o.account}/CloudTrail/${o.region} folder under ${paths.join(", ")} (expected the S3 layout AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/)`);
  }
  const history: DayPairs[] = [];
  for (const day of precedingDays(o.day, historyDays)) history.push({ day, pairs: (await readDay(regionDirs, day)).pairs });
  const target = await readDay(regionDirs, o.day);

  const scorer = new BuiltinScorer(history);
  const rows: ScoredPair[] = target.pairs.map((p) => ({ ...p, ...scorer.scoreOne(p) }));
  const run: ScoreRunContext = {
    account: o.account, region: o.region, day: o.day, threshold, scorer: scorer.name,
    logPrefix: target.dirs.length ? target.dirs.join(", ") : regionDirs.map((r) => `${r}/${o.day}`).join(", "),
  };
  const alerts = unusualActivityAlerts(rows, run);
  const withData = history.filter((d) => d.pairs.length > 0).length;
  const totals: RunTotals = {
    files: target.stats.files, records: target.stats.records, pairs: rows.length, historyDays: withData,
    unreadableFiles: target.stats.unreadableFiles, invalidRecords: target.stats.invalidRecords, problems: target.problems,
  };

  if (o.format === "jsonl") {
    for (const a of alerts) out.stdout.write(terminalSafeJson(a) + "\n");
  } else {
    out.stdout.write(alerts.length > 0 ? scoreTable(alerts, (out.stdout as { columns?: number }).columns ?? 160) + "\n" : "Nothing above the threshold.\n");
  }
  const summary = runSummaryAlert(alerts, totals, run, new Date());
  const lines = [
    `trailwatch: ${cell(summary.summary)}`,
    `  ${target.stats.filesRead} file(s), ${target.stats.records} record(s) (${target.stats.serviceRecords} AWS service call(s) left out), ` +
      `${rows.length} pair(s); history: ${withData} of ${historyDays} preceding day(s) had data` +
      (withData < 3 ? " (the built-in scorer needs 3 to judge anything)" : ""),
    ...target.problems.map((p) => `  could not read: ${cell(p)}`),
  ];
  out.stderr.write(lines.join("\n") + "\n");
  const code = target.stats.files === 0 || target.stats.unreadableFiles > 0 || target.stats.invalidRecords > 0 ? EXIT_UNREADABLE : 0;
  return { code, rows, alerts, totals, historyDays: withData, regionDirs };
}
