export { LogAnalyzer, type LogAnalyzerProps, OBJECT_CREATED_EVENTS, LOG_FILE_SUFFIX, ANOMALY_METRIC, MAX_RECEIVE_COUNT } from "./log-analyzer";
export {
  logAnalyzerConfigSchema,
  logAnalyzerSettingsSchema,
  notificationSchema,
  layoutSchema,
  remediationModeSchema,
  logKeyPrefix,
  parseTopicArn,
  type LogAnalyzerConfig,
  type LogAnalyzerSettings,
  type LogAnalyzerSettingsInput,
  type RemediationMode,
} from "./config";
export { logAnalyzerStatements, remediatorStatements, remediationEnabled, appliedRemediations, fillResource, type AnalyzerPolicyContext } from "./policies";
