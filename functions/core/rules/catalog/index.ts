import type { AnyRule } from "../rule";
import accessanalyzerAnalyzerDeleted from "./accessanalyzer-analyzer-deleted";
import accountContactDetailsAccessed from "./account-contact-details-accessed";
import accountRegionEnabled from "./account-region-enabled";
import awsAttackToolUserAgent from "./aws-attack-tool-user-agent";
import bedrockSafeguardsChanged from "./bedrock-safeguards-changed";
import cloudtrailEventDataStoreDeleted from "./cloudtrail-event-data-store-deleted";
import cloudtrailLoggingStopped from "./cloudtrail-logging-stopped";
import cloudtrailTamperDenied from "./cloudtrail-tamper-denied";
import cloudtrailTrailCreated from "./cloudtrail-trail-created";
import cloudtrailTrailDeleted from "./cloudtrail-trail-deleted";
import cloudtrailTrailModified from "./cloudtrail-trail-modified";
import codebuildProjectMadePublic from "./codebuild-project-made-public";
import configRecorderChanged from "./config-recorder-changed";
import configRecorderStopped from "./config-recorder-stopped";
import ec2AmiShared from "./ec2-ami-shared";
import ec2EbsDefaultEncryptionDisabled from "./ec2-ebs-default-encryption-disabled";
import ec2FlowLogsDeleted from "./ec2-flow-logs-deleted";
import ec2InstanceExported from "./ec2-instance-exported";
import ec2NetworkAclOpened from "./ec2-network-acl-opened";
import ec2SecurityGroupOpenToWorld from "./ec2-security-group-open-to-world";
import ec2SnapshotShared from "./ec2-snapshot-shared";
import ec2SshKeyAdded from "./ec2-ssh-key-added";
import ec2UserDataModified from "./ec2-user-data-modified";
import ecsTaskReadsCredentialEndpoint from "./ecs-task-reads-credential-endpoint";
import efsFileSystemDeleted from "./efs-file-system-deleted";
import eksClusterCreatedOrDeleted from "./eks-cluster-created-or-deleted";
import elasticacheSecurityGroupChanged from "./elasticache-security-group-changed";
import eventsRuleDisabled from "./events-rule-disabled";
import glueDevEndpointChanged from "./glue-dev-endpoint-changed";
import guarddutyDetectorDisabled from "./guardduty-detector-disabled";
import guarddutyFindingsSuppressed from "./guardduty-findings-suppressed";
import iamAccessKeyCreated from "./iam-access-key-created";
import iamAdminPolicyAttached from "./iam-admin-policy-attached";
import iamCompromisedKeyQuarantine from "./iam-compromised-key-quarantine";
import iamEntityCreatedOutsideIac from "./iam-entity-created-outside-iac";
import iamIdentityProviderChanged from "./iam-identity-provider-changed";
import iamLoginProfileChanged from "./iam-login-profile-changed";
import iamMfaDeviceDeactivated from "./iam-mfa-device-deactivated";
import iamPasswordPolicyWeakened from "./iam-password-policy-weakened";
import iamRoleTrustOpened from "./iam-role-trust-opened";
import iamRootActivity from "./iam-root-activity";
import iamUserAddedToAdminGroup from "./iam-user-added-to-admin-group";
import iamUserCreated from "./iam-user-created";
import kmsKeyDeletionScheduled from "./kms-key-deletion-scheduled";
import kmsKeyMaterialImported from "./kms-key-material-imported";
import lambdaFunctionMadePublic from "./lambda-function-made-public";
import logsLoggingRemoved from "./logs-logging-removed";
import macieProtectionWeakened from "./macie-protection-weakened";
import organizationsAccountCreated from "./organizations-account-created";
import organizationsLeaveAttempt from "./organizations-leave-attempt";
import rdsAuditLoggingStopped from "./rds-audit-logging-stopped";
import rdsDbSecurityGroupChanged from "./rds-db-security-group-changed";
import rdsInstanceMadePublic from "./rds-instance-made-public";
import rdsSnapshotShared from "./rds-snapshot-shared";
import resourcePolicyMadePublic from "./resource-policy-made-public";
import route53domainsDomainTransferEnabled from "./route53domains-domain-transfer-enabled";
import route53resolverQueryLoggingDeleted from "./route53resolver-query-logging-deleted";
import s3BucketDeleted from "./s3-bucket-deleted";
import s3BucketEncryptionRemoved from "./s3-bucket-encryption-removed";
import s3BucketMadePublic from "./s3-bucket-made-public";
import s3BucketProtectionDisabled from "./s3-bucket-protection-disabled";
import s3LogBucketLifecycleShortened from "./s3-log-bucket-lifecycle-shortened";
import securityhubFindingsSuppressed from "./securityhub-findings-suppressed";
import securityhubHubDisabled from "./securityhub-hub-disabled";
import sesSendingSettingsChanged from "./ses-sending-settings-changed";
import signinConsoleLoginFailed from "./signin-console-login-failed";
import signinConsoleLoginWithoutMfa from "./signin-console-login-without-mfa";
import signinConsoleTokenMinted from "./signin-console-token-minted";
import ssmPlaintextSecretParameter from "./ssm-plaintext-secret-parameter";
import ssoIdentitySourceChanged from "./sso-identity-source-changed";
import vpceSensitiveApiCall from "./vpce-sensitive-api-call";

/**
 * The rule catalog, one file per rule. `test/core/rules/catalog.test.ts` fails when a file in this
 * folder is not listed here, so a new rule cannot be forgotten; `test/core/rules/examples.test.ts`
 * fails when it has no examples.
 */
export const catalog: readonly AnyRule[] = [
  accessanalyzerAnalyzerDeleted,
  accountContactDetailsAccessed,
  accountRegionEnabled,
  awsAttackToolUserAgent,
  bedrockSafeguardsChanged,
  cloudtrailEventDataStoreDeleted,
  cloudtrailLoggingStopped,
  cloudtrailTamperDenied,
  cloudtrailTrailCreated,
  cloudtrailTrailDeleted,
  cloudtrailTrailModified,
  codebuildProjectMadePublic,
  configRecorderChanged,
  configRecorderStopped,
  ec2AmiShared,
  ec2EbsDefaultEncryptionDisabled,
  ec2FlowLogsDeleted,
  ec2InstanceExported,
  ec2NetworkAclOpened,
  ec2SecurityGroupOpenToWorld,
  ec2SnapshotShared,
  ec2SshKeyAdded,
  ec2UserDataModified,
  ecsTaskReadsCredentialEndpoint,
  efsFileSystemDeleted,
  eksClusterCreatedOrDeleted,
  elasticacheSecurityGroupChanged,
  eventsRuleDisabled,
  glueDevEndpointChanged,
  guarddutyDetectorDisabled,
  guarddutyFindingsSuppressed,
  iamAccessKeyCreated,
  iamAdminPolicyAttached,
  iamCompromisedKeyQuarantine,
  iamEntityCreatedOutsideIac,
  iamIdentityProviderChanged,
  iamLoginProfileChanged,
  iamMfaDeviceDeactivated,
  iamPasswordPolicyWeakened,
  iamRoleTrustOpened,
  iamRootActivity,
  iamUserAddedToAdminGroup,
  iamUserCreated,
  kmsKeyDeletionScheduled,
  kmsKeyMaterialImported,
  lambdaFunctionMadePublic,
  logsLoggingRemoved,
  macieProtectionWeakened,
  organizationsAccountCreated,
  organizationsLeaveAttempt,
  rdsAuditLoggingStopped,
  rdsDbSecurityGroupChanged,
  rdsInstanceMadePublic,
  rdsSnapshotShared,
  resourcePolicyMadePublic,
  route53domainsDomainTransferEnabled,
  route53resolverQueryLoggingDeleted,
  s3BucketDeleted,
  s3BucketEncryptionRemoved,
  s3BucketMadePublic,
  s3BucketProtectionDisabled,
  s3LogBucketLifecycleShortened,
  securityhubFindingsSuppressed,
  securityhubHubDisabled,
  sesSendingSettingsChanged,
  signinConsoleLoginFailed,
  signinConsoleLoginWithoutMfa,
  signinConsoleTokenMinted,
  ssmPlaintextSecretParameter,
  ssoIdentitySourceChanged,
  vpceSensitiveApiCall,
];
