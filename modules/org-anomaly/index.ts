export { OrgAnomaly, type OrgAnomalyProps } from "./org-anomaly";
export { orgAnomalyConfigSchema, orgAnomalySettingsSchema, discernmentDeploymentSchema, anomalyOrganizationId, type OrgAnomalyConfig, type OrgAnomalySettings, type OrgAnomalySettingsInput } from "./config";
export { CLOUDTRAIL_COLUMNS, PARTITION_KEYS, projectionParameters, logsRoot } from "./glue-table";
export { musterStatements, discernmentStatements, walkedParentArns } from "./policies";
