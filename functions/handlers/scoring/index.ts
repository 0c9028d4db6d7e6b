/**
 * The scoring state machine's Lambda handlers (each file's `handler` is a Lambda entry point)
 * (its definition is `modules/scoring/definition.ts`). Named here by their factories, which tests and other wiring use.
 */
export { createReadHandler, type ReadOverrides } from "./read";
export { createScoreHandler, type ScoreOverrides } from "./score";
export { createAlertHandler, type AlertOverrides } from "./alert";
export { readEnvSchema, scoreEnvSchema, alertEnvSchema } from "./env";
export { runKeys, runIdOf, runPrefixOf, historyCacheKey } from "../../app/scoring/keys";
export type * from "../../app/scoring/events";
