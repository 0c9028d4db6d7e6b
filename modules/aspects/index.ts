export { applyPlatformAspects } from "./platform-aspects";
export { DefaultTagsAspect } from "./default-tags";
export { LogRetentionAspect } from "./log-retention";
export { EncryptionAtRestAspect } from "./encryption-at-rest";
export { S3GuardrailsAspect, TLS_ONLY_SID } from "./s3-guardrails";
export { PolicyChecksAspect, UNSCOPED_ACTIONS, LAMBDA_RUNTIME } from "./policy-checks";
