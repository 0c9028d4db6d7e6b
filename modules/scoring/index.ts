export { Scoring, READ_NODE_OPTIONS, type ScoringProps } from "./scoring";
export {
  scoringConfigSchema,
  scoringSettingsSchema,
  scoringLayoutSchema,
  scorerSchema,
  scheduleSchema,
  effectiveThreshold,
  type ScoringConfig,
  type ScoringSettings,
  type ScoringSettingsInput,
} from "./config";
export { readStatements, scoreStatements, alertStatements, trailRootPrefix, endpointArn, LOG_DELIVERY_ACTIONS, type ScoringPolicyContext } from "./policies";
