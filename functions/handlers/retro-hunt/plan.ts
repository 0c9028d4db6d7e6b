import type { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { catalog } from "../../core/rules/catalog";
import { planHunt, type PlanEvent, type PlanOutput } from "../../app/retro-hunt/plan";
import { clientSettings } from "../../adapters/aws/client-settings";
import { planEnv, type PlanEnv } from "./env";
import { createLogger } from "../shared/logger";

export type { PlanEvent, PlanOutput };

/** What tests (or another wiring) may replace. */
export interface PlanOverrides {
  s3?: S3Client;
  logger?: Logger;
}

/** The plan function of the retro-hunt state machine (see `planHunt`); the environment is read on the first invocation. */
export function createPlanHandler(env: Record<string, string | undefined> = process.env, overrides: PlanOverrides = {}) {
  const logger = overrides.logger ?? createLogger("retro-hunt-plan");
  let cfg: PlanEnv | undefined;
  let ruleIds: Set<string> | undefined;
  let s3: S3Client | undefined;

  return async (event: PlanEvent): Promise<PlanOutput> => {
    cfg ??= planEnv(env);
    // The catalog's rules and the deployment's own, which the scan function's bundle embeds.
    ruleIds ??= new Set([...catalog.map((r) => r.id), ...cfg.ownRuleIds]);
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
    return planHunt(event, cfg, { s3, ruleIds, logger });
  };
}

/** Lambda entry point, invoked by the retro-hunt state machine. */
export const handler = createPlanHandler();
