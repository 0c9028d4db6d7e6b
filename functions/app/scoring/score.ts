import { BuiltinScorer } from "../../core/scoring/builtin-scorer";
import { parsePairsCsv, scoresToCsv } from "../../core/scoring/csv";
import type { DayPairs } from "../../core/scoring/history";
import { checkScores, type Scorer } from "../../core/scoring/scorer";
import { getObjectText, putObjectText } from "../../adapters/aws/s3-day-reader";
import type { ScoreEvent, ScoreOutcome } from "./events";
import { runKeys } from "./keys";

/** The client the S3 helpers of `s3-day-reader` take (built by the handler). */
type S3 = Parameters<typeof getObjectText>[0];

/** The score function's settings (its environment, parsed by the handler). */
export interface ScoreSettings {
  WORK_BUCKET: string;
  SCORER: "builtin" | "sagemaker";
  MIN_HISTORY_DAYS: number;
}

/** What the score step works with: the work bucket's client, the SageMaker scorer (built on demand), logging. */
export interface ScoreDeps {
  s3: S3;
  /** The configured SageMaker scorer; asked for only when `SCORER` is `sagemaker`. */
  sagemakerScorer: () => Scorer;
  logger: { info(message: string, ...extra: Record<string, unknown>[]): void };
}

async function readCsv(s3: S3, bucket: string, key: string) {
  const text = await getObjectText(s3, bucket, key);
  if (text === undefined) throw new Error(`s3://${bucket}/${key} is missing; the read step of this run writes it`);
  return parsePairsCsv(text, `s3://${bucket}/${key}`);
}

/** `history/<bucket>/<account>/<region>/YYYY/MM/DD/pairs.csv` or `runs/<id>/history/YYYY-MM-DD.csv` -> the day. */
function dayOfKey(key: string): string {
  const cached = /(\d{4})\/(\d{2})\/(\d{2})\/pairs\.csv$/.exec(key);
  const run = /(\d{4})-(\d{2})-(\d{2})\.csv$/.exec(key);
  const m = cached ?? run;
  if (!m) throw new Error(`cannot tell the day of history file ${key}`);
  return `${m[1]}/${m[2]}/${m[3]}`;
}

/**
 * The score function: reads the day's pairs (and, for the built-in scorer, the preceding days'),
 * scores every pair with the configured scorer and writes `scores.csv` once.
 */
/**
 * The score step: reads the day's pairs (and, for the built-in scorer, the preceding days'),
 * scores every pair with the configured scorer and writes `scores.csv` once.
 */
export async function scoreRun(event: ScoreEvent, c: ScoreSettings, deps: ScoreDeps): Promise<ScoreOutcome> {
  const { s3, logger } = deps;
  if (event?.action !== "score") throw new Error(`unknown action ${JSON.stringify(event?.action)}; expected score`);
  const keys = runKeys(event.run.runPrefix);
  const pairs = await readCsv(s3, c.WORK_BUCKET, event.read.pairsKey);
  let scorer: Scorer;
  let historyDays = 0;
  if (c.SCORER === "sagemaker") {
    scorer = deps.sagemakerScorer();
  } else {
    const history: DayPairs[] = [];
    for (const key of event.read.historyKeys) history.push({ day: dayOfKey(key), pairs: await readCsv(s3, c.WORK_BUCKET, key) });
    const builtin = new BuiltinScorer(history, { minHistoryDays: c.MIN_HISTORY_DAYS });
    historyDays = history.filter((d) => d.pairs.length > 0).length;
    scorer = builtin;
  }
  const scores = await scorer.score(pairs);
  checkScores(scores, pairs, scorer.name);
  const rows = pairs.map((p, i) => ({ ...p, ...scores[i]! }));
  await putObjectText(s3, c.WORK_BUCKET, keys.scores, scoresToCsv(rows), "text/csv");
  logger.info("scored", { runId: event.run.runId, scorer: scorer.name, pairs: pairs.length, historyDays });
  return { scoresKey: keys.scores, scorer: scorer.name, pairs: pairs.length, historyDays };
}
