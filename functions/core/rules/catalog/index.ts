import type { CatalogRule } from "../threshold-rule";
import accessanalyzerAnalyzerDeleted from "./accessanalyzer-analyzer-deleted";
import awsAccessDeniedBurst from "./aws-access-denied-burst";
import awsManyRegionsTouched from "./aws-many-regions-touched";
import cloudtrailEventDataStoreDeleted from "./cloudtrail-event-data-store-deleted";
import cloudtrailLoggingStopped from "./cloudtrail-logging-stopped";
import cloudtrailTamperDenied from "./cloudtrail-tamper-denied";
import cloudtrailTrailDeleted from "./cloudtrail-trail-deleted";
import cloudtrailTrailModified from "./cloudtrail-trail-modified";
import codebuildProjectMadePublic from "./codebuild-project-made-public";
import configRecorderStopped from "./config-recorder-stopped";
import ec2AmiShared from "./ec2-ami-shared";
import ec2EbsDefaultEncryptionDisabled from "./ec2-ebs-default-encryption-disabled";
import ec2FlowLogsDeleted from "./ec2-flow-logs-deleted";
import ec2InstanceConnectManyInstances from "./ec2-instance-connect-many-instances";
import ec2NetworkAclOpened from "./ec2-network-acl-opened";
import ec2PasswordDataReadBurst from "./ec2-password-data-read-burst";
import ec2SecurityGroupOpenToWorld from "./ec2-security-group-open-to-world";
import ec2SnapshotShared from "./ec2-snapshot-shared";
import ec2UserDataModified from "./ec2-user-data-modified";
import ec2UserDataReadBurst from "./ec2-user-data-read-burst";
import eventsRuleDisabled from "./events-rule-disabled";
import guarddutyDetectorDisabled from "./guardduty-detector-disabled";
import guarddutyFindingsSuppressed from "./guardduty-findings-suppressed";
import iamAccessKeyCreated from "./iam-access-key-created";
import iamAdminPolicyAttached from "./iam-admin-policy-attached";
import iamCompromisedKeyQuarantine from "./iam-compromised-key-quarantine";
import iamIdentityProviderChanged from "./iam-identity-provider-changed";
import iamLoginProfileChanged from "./iam-login-profile-changed";
import iamMfaDeviceDeactivated from "./iam-mfa-device-deactivated";
import iamPasswordPolicyWeakened from "./iam-password-policy-weakened";
import iamRoleTrustOpened from "./iam-role-trust-opened";
import iamRootActivity from "./iam-root-activity";
import iamUserAddedToAdminGroup from "./iam-user-added-to-admin-group";
import iamUserCreated from "./iam-user-created";
import kmsKeyDeletionScheduled from "./kms-key-deletion-scheduled";
import lambdaFunctionMadePublic from "./lambda-function-made-public";
import logsLoggingRemoved from "./logs-logging-removed";
import organizationsLeaveAttempt from "./organizations-leave-attempt";
import rdsInstanceMadePublic from "./rds-instance-made-public";
import rdsSnapshotShared from "./rds-snapshot-shared";
import resourcePolicyMadePublic from "./resource-policy-made-public";
import route53domainsDomainTransferEnabled from "./route53domains-domain-transfer-enabled";
import route53resolverQueryLoggingDeleted from "./route53resolver-query-logging-deleted";
import s3BucketEncryptionRemoved from "./s3-bucket-encryption-removed";
import s3BucketMadePublic from "./s3-bucket-made-public";
import s3ClientSideEncryptionBurst from "./s3-client-side-encryption-burst";
import s3LogBucketLifecycleShortened from "./s3-log-bucket-lifecycle-shortened";
import s3ObjectDeletionBurst from "./s3-object-deletion-burst";
import secretsmanagerSecretsReadBurst from "./secretsmanager-secrets-read-burst";
import securityhubHubDisabled from "./securityhub-hub-disabled";
import signinConsoleLoginFailures from "./signin-console-login-failures";
import signinConsoleLoginWithoutMfa from "./signin-console-login-without-mfa";
import signinPasswordSpraying from "./signin-password-spraying";
import ssmPlaintextSecretParameter from "./ssm-plaintext-secret-parameter";
import ssmSecureParametersReadBurst from "./ssm-secure-parameters-read-burst";
import ssmSendCommandManyInstances from "./ssm-send-command-many-instances";
import ssmStartSessionManyInstances from "./ssm-start-session-many-instances";

/**
 * The rule catalog, one file per rule: single-event rules and threshold rules (`kind: "threshold"`). `test/core/rules/catalog.test.ts` fails when a file in this
 * folder is not listed here, so a new rule cannot be forgotten; `test/core/rules/examples.test.ts`
 * fails when it has no examples.
 */
export const catalog: readonly CatalogRule[] = [
  accessanalyzerAnalyzerDeleted,
  awsAccessDeniedBurst,
  awsManyRegionsTouched,
  cloudtrailEventDataStoreDeleted,
  cloudtrailLoggingStopped,
  cloudtrailTamperDenied,
  cloudtrailTrailDeleted,
  cloudtrailTrailModified,
  codebuildProjectMadePublic,
  configRecorderStopped,
  ec2AmiShared,
  ec2EbsDefaultEncryptionDisabled,
  ec2FlowLogsDeleted,
  ec2InstanceConnectManyInstances,
  ec2NetworkAclOpened,
  ec2PasswordDataReadBurst,
  ec2SecurityGroupOpenToWorld,
  ec2SnapshotShared,
  ec2UserDataModified,
  ec2UserDataReadBurst,
  eventsRuleDisabled,
  guarddutyDetectorDisabled,
  guarddutyFindingsSuppressed,
  iamAccessKeyCreated,
  iamAdminPolicyAttached,
  iamCompromisedKeyQuarantine,
  iamIdentityProviderChanged,
  iamLoginProfileChanged,
  iamMfaDeviceDeactivated,
  iamPasswordPolicyWeakened,
  iamRoleTrustOpened,
  iamRootActivity,
  iamUserAddedToAdminGroup,
  iamUserCreated,
  kmsKeyDeletionScheduled,
  lambdaFunctionMadePublic,
  logsLoggingRemoved,
  organizationsLeaveAttempt,
  rdsInstanceMadePublic,
  rdsSnapshotShared,
  resourcePolicyMadePublic,
  route53domainsDomainTransferEnabled,
  route53resolverQueryLoggingDeleted,
  s3BucketEncryptionRemoved,
  s3BucketMadePublic,
  s3ClientSideEncryptionBurst,
  s3LogBucketLifecycleShortened,
  s3ObjectDeletionBurst,
  secretsmanagerSecretsReadBurst,
  securityhubHubDisabled,
  signinConsoleLoginFailures,
  signinConsoleLoginWithoutMfa,
  signinPasswordSpraying,
  ssmPlaintextSecretParameter,
  ssmSecureParametersReadBurst,
  ssmSendCommandManyInstances,
  ssmStartSessionManyInstances,
];
