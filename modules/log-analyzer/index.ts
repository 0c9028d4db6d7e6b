export { LogAnalyzer, type LogAnalyzerProps, OBJECT_CREATED_EVENTS, LOG_FILE_SUFFIX, ANOMALY_METRIC, MAX_RECEIVE_COUNT } from "./log-analyzer";
export {
  logAnalyzerConfigSchema,
  logAnalyzerSettingsSchema,
  notificationSchema,
  layoutSchema,
  remediationMemberRoleSchema,
  logKeyPrefix,
  memberOrganizationId,
  parseTopicArn,
  type LogAnalyzerConfig,
  type LogAnalyzerSettings,
  type LogAnalyzerSettingsInput,
  type RemediationMemberRole,
} from "./config";
export {
  logAnalyzerStatements,
  remediatorStatements,
  memberRoleStatement,
  remediationGrants,
  remediationEnabled,
  appliedRemediations,
  fillResource,
  type AnalyzerPolicyContext,
  type RemediationGrant,
  type RemediatorPolicySettings,
} from "./policies";
export { MemberRoleStackSet, memberRoleTemplate, cfnResource, type MemberRoleStackSetProps } from "./member-role";
