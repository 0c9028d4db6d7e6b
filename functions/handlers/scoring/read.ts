import type { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { clientSettings } from "../../adapters/aws/client-settings";
import type { ReadEvent } from "../../app/scoring/events";
import { scoringReadSteps } from "../../app/scoring/read";
import { readEnvSchema, type ReadEnv } from "./env";
import { parseEnv } from "../shared/env";
import { createLogger } from "../shared/logger";

/** What tests (or another wiring) may replace. */
export interface ReadOverrides {
  s3?: S3Client;
  logger?: Logger;
}

/**
 * The read function of the scoring state machine: one of three actions (`plan`, `read-batch`,
 * `merge`; see `scoringReadSteps`) per invocation. The environment is read on the first one.
 */
export function createReadHandler(env: Record<string, string | undefined> = process.env, overrides: ReadOverrides = {}) {
  const logger = overrides.logger ?? createLogger("scoring-read");
  const steps = scoringReadSteps(logger);
  let cfg: ReadEnv | undefined;
  let s3: S3Client | undefined;

  return async (event: ReadEvent): Promise<unknown> => {
    cfg ??= parseEnv("scoring-read", readEnvSchema, env);
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
    try {
      switch (event?.action) {
        case "plan":
          return await steps.plan(event, cfg, s3);
        case "read-batch":
          return await steps.readBatch(event, cfg, s3);
        case "merge":
          return await steps.merge(event, cfg, s3);
        default:
          throw new Error(`unknown action ${JSON.stringify((event as { action?: unknown })?.action)}; expected plan, read-batch or merge`);
      }
    } catch (err) {
      logger.error(`scoring read (${event?.action}) failed`, err as Error);
      throw err;
    }
  };
}

/** Lambda entry point, invoked by the scoring state machine. */
export const handler = createReadHandler();
