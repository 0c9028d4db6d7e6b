export { TrailGuard, heartbeatPeriodEnv, type TrailGuardProps, type ForwardingRegion } from "./trail-guard";
export {
  trailGuardConfigSchema,
  trailGuardSettingsSchema,
  trailArnSchema,
  parseTrailArn,
  parseKeyArn,
  type TrailGuardConfig,
  type TrailGuardSettings,
  type TrailGuardSettingsInput,
} from "./config";
export {
  guardPatterns,
  API_CALL_DETAIL_TYPE,
  TRAIL_EVENT_NAMES,
  BUCKET_EVENT_NAMES,
  KEY_EVENT_NAMES,
  ORGANIZATION_EVENT_NAMES,
  type GuardPattern,
} from "./patterns";
export { trailGuardStatements, heartbeatStatements, alertPublishStatements, type PolicyContext } from "./policies";
export { regionalProvider } from "./regional-provider";
