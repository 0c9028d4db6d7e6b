import type { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { SageMakerScorer } from "../../adapters/aws/sagemaker-scorer";
import type { ScoreEvent, ScoreOutcome } from "../../app/scoring/events";
import { scoreRun } from "../../app/scoring/score";
import { scoreEnvSchema, type ScoreEnv } from "./env";
import { parseEnv } from "../shared/env";
import { createLogger } from "../shared/logger";
import { clientSettings } from "../../adapters/aws/client-settings";

export interface ScoreOverrides {
  s3?: S3Client;
  sagemaker?: SageMakerRuntimeClient;
  logger?: Logger;
}

/** The score function of the scoring state machine (see `scoreRun`); the environment is read on the first invocation. */
export function createScoreHandler(env: Record<string, string | undefined> = process.env, overrides: ScoreOverrides = {}) {
  const logger = overrides.logger ?? createLogger("scoring-score");
  let cfg: ScoreEnv | undefined;
  let s3: S3Client | undefined;
  let sagemaker: SageMakerRuntimeClient | undefined;

  return async (event: ScoreEvent): Promise<ScoreOutcome> => {
    cfg ??= parseEnv("scoring-score", scoreEnvSchema, env);
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
    const c = cfg;
    try {
      return await scoreRun(event, c, {
        s3,
        sagemakerScorer: () => {
          sagemaker ??= overrides.sagemaker ?? new SageMakerRuntimeClient(clientSettings());
          return new SageMakerScorer(sagemaker, { endpointName: c.SAGEMAKER_ENDPOINT!, columns: c.SAGEMAKER_COLUMNS, maxRowsPerRequest: c.SAGEMAKER_MAX_ROWS });
        },
        logger,
      });
    } catch (err) {
      logger.error("scoring score failed", err as Error);
      throw err;
    }
  };
}

/** Lambda entry point, invoked by the scoring state machine. */
export const handler = createScoreHandler();
