export { validateDeploymentConfig, baseConfigSchema, enabled, type DeploymentConfig, type ConfigIssue, type ValidationResult } from "./schema";
export { loadConfig, parseConfig, configPath, formatIssues, formatPath, ConfigError, DEFAULT_CONFIG } from "./load";
export { SECTIONS, watchedRegions, type SectionKey, type CapabilitySection } from "./sections";
export { LOG_RETENTION_DAYS, type BaseConfig } from "./base-schema";
