import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { BuiltinScorer } from "../../core/scoring/builtin-scorer";
import { parsePairsCsv, scoresToCsv } from "../../core/scoring/csv";
import type { DayPairs } from "../../core/scoring/history";
import { checkScores, type Scorer } from "../../core/scoring/scorer";
import { getObjectText, putObjectText } from "../../adapters/aws/s3-day-reader";
import { SageMakerScorer } from "../../adapters/aws/sagemaker-scorer";
import { parseEnv, scoreEnvSchema, type ScoreEnv } from "./env";
import type { ScoreEvent, ScoreOutcome } from "./events";
import { runKeys } from "./keys";
import { clientSettings } from "../../adapters/aws/client-settings";

export interface ScoreOverrides {
  s3?: S3Client;
  sagemaker?: SageMakerRuntimeClient;
  logger?: Logger;
}

async function readCsv(s3: S3Client, bucket: string, key: string) {
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
export function createScoreHandler(env: Record<string, string | undefined> = process.env, overrides: ScoreOverrides = {}) {
  const logger = overrides.logger ?? new Logger({ serviceName: "scoring-score" });
  let cfg: ScoreEnv | undefined;
  let s3: S3Client | undefined;
  let sagemaker: SageMakerRuntimeClient | undefined;

  return async (event: ScoreEvent): Promise<ScoreOutcome> => {
    cfg ??= parseEnv(scoreEnvSchema, env, "scoring score");
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
    const c = cfg;
    try {
      if (event?.action !== "score") throw new Error(`unknown action ${JSON.stringify(event?.action)}; expected score`);
      const keys = runKeys(event.run.runPrefix);
      const pairs = await readCsv(s3, c.WORK_BUCKET, event.read.pairsKey);
      let scorer: Scorer;
      let historyDays = 0;
      if (c.SCORER === "sagemaker") {
        sagemaker ??= overrides.sagemaker ?? new SageMakerRuntimeClient(clientSettings());
        scorer = new SageMakerScorer(sagemaker, { endpointName: c.SAGEMAKER_ENDPOINT!, columns: c.SAGEMAKER_COLUMNS, maxRowsPerRequest: c.SAGEMAKER_MAX_ROWS });
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
    } catch (err) {
      logger.error("scoring score failed", err as Error);
      throw err;
    }
  };
}

/** Lambda entry point, invoked by the scoring state machine. */
export const handler = createScoreHandler();
