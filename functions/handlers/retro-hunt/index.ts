/**
 * The retro-hunt state machine's Lambda handlers (each file's `handler` is a Lambda entry point) and
 * the definition that chains them. Named here by their factories, which tests and other wiring use.
 */
export { createPlanHandler, type PlanEvent, type PlanOutput, type PlanOverrides } from "./plan";
export { createScanHandler, InvalidBatchError, type ScanOverrides } from "./scan";
export { createSummarizeHandler, type SummarizeEvent, type SummarizeOutput, type SummarizeOverrides } from "./summarize";
export { retroHuntDefinition, STATE, MAP_LABEL, RETRIED_ERRORS, MAX_INPUT_BYTES_PER_BATCH, type RetroHuntDefinitionProps } from "./definition";
export { planEnv, scanEnv, summarizeEnv, type PlanEnv, type ScanEnv, type SummarizeEnv } from "./env";
