/**
 * The scoring state machine's Lambda handlers (each file's `handler` is a Lambda entry point) and the
 * definition that chains them. Named here by their factories, which tests and other wiring use.
 */
export { createReadHandler, type ReadOverrides } from "./read";
export { createScoreHandler, type ScoreOverrides } from "./score";
export { createAlertHandler, type AlertOverrides } from "./alert";
export { scoringDefinition, STATE, RETRIED_ERRORS, BAD_INPUT_CAUSE, type ScoringDefinitionProps } from "./definition";
export { ConfigurationError, readEnvSchema, scoreEnvSchema, alertEnvSchema } from "./env";
export { runKeys, runIdOf, runPrefixOf, historyCacheKey } from "./keys";
export type * from "./events";
