export { Platform, type PlatformProps } from "./platform";
export { policyDocument, type PolicyStatementSpec, type ResourcePolicyStatementSpec, type PolicyCondition } from "./policy-document";
export { scheduleLauncher, type ScheduleLauncherProps } from "./schedule-launcher";
export { logLayoutSchema, keyPrefixSchema, normalizedKeyPrefixSchema, remediationSafetySchema, type RemediationSafety } from "./config-fields";
export { queueNotEmptyAlarm, functionErrorsAlarm, eventCountAlarm, type FailureAlarmProps, type QueueNotEmptyAlarmProps, type FunctionErrorsAlarmProps, type EventCountAlarmProps } from "./alarms";
export { stateTable, type StateTableProps } from "./tables";
export { recomputableBucket, ABORT_INCOMPLETE_UPLOADS, type RecomputableBucketProps } from "./buckets";
