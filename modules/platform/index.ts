export { Platform, type PlatformProps } from "./platform";
export { policyDocument, type PolicyStatementSpec, type ResourcePolicyStatementSpec, type PolicyCondition } from "./policy-document";
export { scheduleLauncher, type ScheduleLauncherProps } from "./schedule-launcher";
