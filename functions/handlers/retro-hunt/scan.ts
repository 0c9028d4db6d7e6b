import type { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import type { BatchResult } from "../../core/hunt/batch";
import { catalog } from "../../core/rules/catalog";
import { scanBatch } from "../../app/retro-hunt/scan";
import { clientSettings } from "../../adapters/aws/client-settings";
import { providedDeploymentRules } from "../shared/deployment-rules";
import { checkRuleEnvironment } from "../shared/rule-env";
import { scanEnv, type ScanEnv } from "./env";
import { createLogger } from "../shared/logger";

export { InvalidBatchError } from "../../app/retro-hunt/scan";

/** What tests (or another wiring) may replace. */
export interface ScanOverrides {
  s3?: S3Client;
  logger?: Logger;
}

/**
 * The Distributed Map's worker (see `scanBatch`). The environment, and the rule settings in it against
 * the catalog, are checked on the first invocation. When the deployment tunes rules or brings its own,
 * the bundle embeds them (as the log analyzer's does) and a hunt runs them, tuned, with suppressions.
 */
export function createScanHandler(env: Record<string, string | undefined> = process.env, overrides: ScanOverrides = {}) {
  const logger = overrides.logger ?? createLogger("retro-hunt-scan");
  let cfg: ScanEnv | undefined;
  let s3: S3Client | undefined;

  let rules: ReturnType<typeof providedDeploymentRules>;

  return async (event: unknown): Promise<BatchResult> => {
    if (!cfg) {
      const c = scanEnv(env);
      rules = providedDeploymentRules();
      checkRuleEnvironment("retro-hunt-scan", rules?.rules ?? catalog, c.ruleSettings, {});
      cfg = c;
    }
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
    return scanBatch(event, cfg, { s3, logger, ...(rules ? { rules: rules.rules } : {}), ...(rules?.tune ? { tune: rules.tune } : {}) });
  };
}

/** Lambda entry point, invoked by the retro-hunt state machine's Distributed Map. */
export const handler = createScanHandler();
