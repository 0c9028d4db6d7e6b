import type { CatalogRule } from "../threshold-rule";
import accessanalyzerAnalyzerDeleted from "./accessanalyzer-analyzer-deleted";
import accountContactDetailsAccessed from "./account-contact-details-accessed";
import accountRegionEnabled from "./account-region-enabled";
import awsAccessDeniedBurst from "./aws-access-denied-burst";
import awsAttackToolUserAgent from "./aws-attack-tool-user-agent";
import awsManyRegionsTouched from "./aws-many-regions-touched";
import bedrockModelAccessEnabled from "./bedrock-model-access-enabled";
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
import ec2FirewallRulesChanged from "./ec2-firewall-rules-changed";
import ec2FlowLogsDeleted from "./ec2-flow-logs-deleted";
import ec2ImageExportedOrChanged from "./ec2-image-exported-or-changed";
import ec2InstanceConnectManyInstances from "./ec2-instance-connect-many-instances";
import ec2InstanceExported from "./ec2-instance-exported";
import ec2InstanceSecretsRead from "./ec2-instance-secrets-read";
import ec2NetworkAclOpened from "./ec2-network-acl-opened";
import ec2NetworkPathChanged from "./ec2-network-path-changed";
import ec2PasswordDataReadBurst from "./ec2-password-data-read-burst";
import ec2SecurityGroupOpenToWorld from "./ec2-security-group-open-to-world";
import ec2SnapshotShared from "./ec2-snapshot-shared";
import ec2SshKeyAdded from "./ec2-ssh-key-added";
import ec2SshKeyPushedToInstance from "./ec2-ssh-key-pushed-to-instance";
import ec2TrafficMirroringChanged from "./ec2-traffic-mirroring-changed";
import ec2UnusualInstanceLaunched from "./ec2-unusual-instance-launched";
import ec2UserDataModified from "./ec2-user-data-modified";
import ec2UserDataReadBurst from "./ec2-user-data-read-burst";
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
import iamConfigurationChanged from "./iam-configuration-changed";
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
import lambdaCodeUpdatedByHand from "./lambda-code-updated-by-hand";
import lambdaFunctionMadePublic from "./lambda-function-made-public";
import lambdaLayerAdded from "./lambda-layer-added";
import lambdaPermissionAdded from "./lambda-permission-added";
import logsLoggingRemoved from "./logs-logging-removed";
import macieProtectionWeakened from "./macie-protection-weakened";
import organizationsAccountCreated from "./organizations-account-created";
import organizationsLeaveAttempt from "./organizations-leave-attempt";
import rdsAuditLoggingStopped from "./rds-audit-logging-stopped";
import rdsDatabaseDeleted from "./rds-database-deleted";
import rdsDatabaseRestarted from "./rds-database-restarted";
import rdsDbSecurityGroupChanged from "./rds-db-security-group-changed";
import rdsIamRoleAdded from "./rds-iam-role-added";
import rdsInstanceMadePublic from "./rds-instance-made-public";
import rdsLogFileDownloaded from "./rds-log-file-downloaded";
import rdsManualSnapshotCreated from "./rds-manual-snapshot-created";
import rdsMasterPasswordReset from "./rds-master-password-reset";
import rdsRecoveryWeakened from "./rds-recovery-weakened";
import rdsSharedSnapshotsListed from "./rds-shared-snapshots-listed";
import rdsSnapshotExported from "./rds-snapshot-exported";
import rdsSnapshotShared from "./rds-snapshot-shared";
import resourcePolicyMadePublic from "./resource-policy-made-public";
import rolesanywhereTrustAnchorCreated from "./rolesanywhere-trust-anchor-created";
import route53domainsDomainTransferEnabled from "./route53domains-domain-transfer-enabled";
import route53resolverQueryLoggingDeleted from "./route53resolver-query-logging-deleted";
import s3BucketConfigurationChanged from "./s3-bucket-configuration-changed";
import s3BucketDeleted from "./s3-bucket-deleted";
import s3BucketEncryptionRemoved from "./s3-bucket-encryption-removed";
import s3BucketMadePublic from "./s3-bucket-made-public";
import s3BucketPolicyGrantsForeignAccount from "./s3-bucket-policy-grants-foreign-account";
import s3BucketProtectionDisabled from "./s3-bucket-protection-disabled";
import s3BucketReplicationRemoved from "./s3-bucket-replication-removed";
import s3ClientSideEncryptionBurst from "./s3-client-side-encryption-burst";
import s3LogBucketLifecycleShortened from "./s3-log-bucket-lifecycle-shortened";
import s3ObjectCopiedToAnotherAccount from "./s3-object-copied-to-another-account";
import s3ObjectDeletionBurst from "./s3-object-deletion-burst";
import s3ObjectVersionsDeleted from "./s3-object-versions-deleted";
import s3ObjectsBatchDeleted from "./s3-objects-batch-deleted";
import s3ObjectsReencrypted from "./s3-objects-reencrypted";
import s3RansomNoteUploaded from "./s3-ransom-note-uploaded";
import sagemakerNotebookLifecycleConfigChanged from "./sagemaker-notebook-lifecycle-config-changed";
import secretsmanagerAllSecretsRequested from "./secretsmanager-all-secrets-requested";
import secretsmanagerSecretsReadBurst from "./secretsmanager-secrets-read-burst";
import securityhubFindingsSuppressed from "./securityhub-findings-suppressed";
import securityhubHubDisabled from "./securityhub-hub-disabled";
import sesSendingEnumerated from "./ses-sending-enumerated";
import sesSendingSettingsChanged from "./ses-sending-settings-changed";
import signinConsoleLoginFailed from "./signin-console-login-failed";
import signinConsoleLoginFailures from "./signin-console-login-failures";
import signinConsoleLoginWithoutMfa from "./signin-console-login-without-mfa";
import signinConsoleTokenMinted from "./signin-console-token-minted";
import signinPasswordSpraying from "./signin-password-spraying";
import ssmPlaintextSecretParameter from "./ssm-plaintext-secret-parameter";
import ssmRemoteAccessToInstance from "./ssm-remote-access-to-instance";
import ssmSecureParametersReadBurst from "./ssm-secure-parameters-read-burst";
import ssmSendCommandManyInstances from "./ssm-send-command-many-instances";
import ssmStartSessionManyInstances from "./ssm-start-session-many-instances";
import ssoIdentitySourceChanged from "./sso-identity-source-changed";
import stsTemporaryCredentialsFromUserKey from "./sts-temporary-credentials-from-user-key";
import vpceDataPerimeterViolation from "./vpce-data-perimeter-violation";
import vpceSensitiveApiCall from "./vpce-sensitive-api-call";
import wafWebAclDisassociated from "./waf-web-acl-disassociated";

/**
 * The rule catalog, one file per rule: single-event rules and threshold rules (`kind: "threshold"`). `test/core/rules/catalog.test.ts` fails when a file in this
 * folder is not listed here, so a new rule cannot be forgotten; `test/core/rules/examples.test.ts`
 * fails when it has no examples.
 */
export const catalog: readonly CatalogRule[] = [
  accessanalyzerAnalyzerDeleted,
  accountContactDetailsAccessed,
  accountRegionEnabled,
  awsAccessDeniedBurst,
  awsAttackToolUserAgent,
  awsManyRegionsTouched,
  bedrockModelAccessEnabled,
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
  ec2FirewallRulesChanged,
  ec2FlowLogsDeleted,
  ec2ImageExportedOrChanged,
  ec2InstanceConnectManyInstances,
  ec2InstanceExported,
  ec2InstanceSecretsRead,
  ec2NetworkAclOpened,
  ec2NetworkPathChanged,
  ec2PasswordDataReadBurst,
  ec2SecurityGroupOpenToWorld,
  ec2SnapshotShared,
  ec2SshKeyAdded,
  ec2SshKeyPushedToInstance,
  ec2TrafficMirroringChanged,
  ec2UnusualInstanceLaunched,
  ec2UserDataModified,
  ec2UserDataReadBurst,
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
  iamConfigurationChanged,
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
  lambdaCodeUpdatedByHand,
  lambdaFunctionMadePublic,
  lambdaLayerAdded,
  lambdaPermissionAdded,
  logsLoggingRemoved,
  macieProtectionWeakened,
  organizationsAccountCreated,
  organizationsLeaveAttempt,
  rdsAuditLoggingStopped,
  rdsDatabaseDeleted,
  rdsDatabaseRestarted,
  rdsDbSecurityGroupChanged,
  rdsIamRoleAdded,
  rdsInstanceMadePublic,
  rdsLogFileDownloaded,
  rdsManualSnapshotCreated,
  rdsMasterPasswordReset,
  rdsRecoveryWeakened,
  rdsSharedSnapshotsListed,
  rdsSnapshotExported,
  rdsSnapshotShared,
  resourcePolicyMadePublic,
  rolesanywhereTrustAnchorCreated,
  route53domainsDomainTransferEnabled,
  route53resolverQueryLoggingDeleted,
  s3BucketConfigurationChanged,
  s3BucketDeleted,
  s3BucketEncryptionRemoved,
  s3BucketMadePublic,
  s3BucketPolicyGrantsForeignAccount,
  s3BucketProtectionDisabled,
  s3BucketReplicationRemoved,
  s3ClientSideEncryptionBurst,
  s3LogBucketLifecycleShortened,
  s3ObjectCopiedToAnotherAccount,
  s3ObjectDeletionBurst,
  s3ObjectVersionsDeleted,
  s3ObjectsBatchDeleted,
  s3ObjectsReencrypted,
  s3RansomNoteUploaded,
  sagemakerNotebookLifecycleConfigChanged,
  secretsmanagerAllSecretsRequested,
  secretsmanagerSecretsReadBurst,
  securityhubFindingsSuppressed,
  securityhubHubDisabled,
  sesSendingEnumerated,
  sesSendingSettingsChanged,
  signinConsoleLoginFailed,
  signinConsoleLoginFailures,
  signinConsoleLoginWithoutMfa,
  signinConsoleTokenMinted,
  signinPasswordSpraying,
  ssmPlaintextSecretParameter,
  ssmRemoteAccessToInstance,
  ssmSecureParametersReadBurst,
  ssmSendCommandManyInstances,
  ssmStartSessionManyInstances,
  ssoIdentitySourceChanged,
  stsTemporaryCredentialsFromUserKey,
  vpceDataPerimeterViolation,
  vpceSensitiveApiCall,
  wafWebAclDisassociated,
];
