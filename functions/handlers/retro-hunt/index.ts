/**
 * The retro-hunt state machine's Lambda handlers (each file's `handler` is a Lambda entry point)
 * (its definition is `modules/retro-hunt/definition.ts`). Named here by their factories, which tests and other wiring use.
 */
export { createPlanHandler, type PlanEvent, type PlanOutput, type PlanOverrides } from "./plan";
export { createScanHandler, InvalidBatchError, type ScanOverrides } from "./scan";
export { createSummarizeHandler, type SummarizeEvent, type SummarizeOutput, type SummarizeOverrides } from "./summarize";
export { planEnv, scanEnv, summarizeEnv, type PlanEnv, type ScanEnv, type SummarizeEnv } from "./env";
