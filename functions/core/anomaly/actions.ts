/**
 * What kind of action a new (eventSource, eventName) is, for ranking how alarming it is.
 *
 * - `evasion`: turns off or erases the monitoring itself (CloudTrail, GuardDuty, Config, flow logs...).
 * - `identity`: changes who can do what (IAM, Organizations, IAM Identity Center, STS tokens).
 * - `crypto`: changes or uses KMS keys.
 * - `data`: reads stored data or secrets, or copies/shares it (snapshots, exports).
 * - `write`: any other call that changes something.
 * - `read`: any other read-only call (Get/List/Describe...).
 */
export type ActionKind = "evasion" | "identity" | "crypto" | "data" | "write" | "read";

const IDENTITY_SOURCES = new Set([
  "iam.amazonaws.com", "organizations.amazonaws.com", "sso.amazonaws.com", "sso-directory.amazonaws.com",
  "identitystore.amazonaws.com", "sts.amazonaws.com", "access-analyzer.amazonaws.com", "account.amazonaws.com",
]);

const EVASION: Record<string, RegExp> = {
  "cloudtrail.amazonaws.com": /^(StopLogging|DeleteTrail|UpdateTrail|PutEventSelectors|PutInsightSelectors|DeleteEventDataStore|StopEventDataStoreIngestion)$/,
  "guardduty.amazonaws.com": /^(Delete|Disable|Disassociate|Stop|UpdateDetector|UpdateMalwareScanSettings|CreateIPSet|UpdateIPSet)/,
  "config.amazonaws.com": /^(Stop|Delete)(ConfigurationRecorder|DeliveryChannel|ConfigRule)/,
  "securityhub.amazonaws.com": /^(Disable|Delete|BatchDisableStandards|UpdateStandardsControl)/,
  "ec2.amazonaws.com": /^DeleteFlowLogs$/,
  "logs.amazonaws.com": /^(DeleteLogGroup|DeleteLogStream|DeleteSubscriptionFilter|PutRetentionPolicy)$/,
  "access-analyzer.amazonaws.com": /^Delete(Analyzer|ArchiveRule)?$/,
  "organizations.amazonaws.com": /^(LeaveOrganization|DisableAWSServiceAccess|DetachPolicy|DeletePolicy)$/,
  "macie2.amazonaws.com": /^(DisableMacie|DeleteMember|DisassociateMember)$/,
  "detective.amazonaws.com": /^(DeleteGraph|DisassociateMembership)$/,
  "inspector2.amazonaws.com": /^Disable/,
};

const DATA: Record<string, RegExp> = {
  "s3.amazonaws.com": /^(GetObject|GetObjectVersion|CopyObject|SelectObjectContent|RestoreObject|PutBucketPolicy|PutBucketAcl|PutObjectAcl|DeleteBucketPolicy|PutBucketPublicAccessBlock|DeletePublicAccessBlock)$/,
  "secretsmanager.amazonaws.com": /^(GetSecretValue|BatchGetSecretValue|PutResourcePolicy)$/,
  "ssm.amazonaws.com": /^(GetParameter|GetParameters|GetParametersByPath|GetParameterHistory|SendCommand|StartSession)$/,
  "dynamodb.amazonaws.com": /^(Scan|Query|GetItem|BatchGetItem|ExportTableToPointInTime|CreateBackup)$/,
  "rds.amazonaws.com": /^(CreateDBSnapshot|CreateDBClusterSnapshot|CopyDBSnapshot|CopyDBClusterSnapshot|ModifyDBSnapshotAttribute|ModifyDBClusterSnapshotAttribute|StartExportTask)$/,
  "ec2.amazonaws.com": /^(CreateSnapshot|CreateSnapshots|CopySnapshot|ModifySnapshotAttribute|ModifyImageAttribute|GetPasswordData|CreateImage|ExportImage|SharedSnapshotCopyInitiated)$/,
  "lambda.amazonaws.com": /^(GetFunction|GetFunction\d*|GetLayerVersion)$/,
  "ecr.amazonaws.com": /^(BatchGetImage|GetDownloadUrlForLayer)$/,
  "athena.amazonaws.com": /^(StartQueryExecution|GetQueryResults)$/,
  "redshift-data.amazonaws.com": /^(ExecuteStatement|GetStatementResult)$/,
  "glacier.amazonaws.com": /^(InitiateJob|GetJobOutput)$/,
  "backup.amazonaws.com": /^(StartRestoreJob|StartCopyJob)$/,
};

const READ_NAME = /^(Get|List|Describe|Head|Lookup|Search|Check|Query|Scan|BatchGet|Select|Validate|Preview|Estimate|Test|View)/;

/**
 * Classifies one action. `writes` is how many calls CloudTrail marked `readOnly: false`; when it
 * is unknown (undefined) the event name decides (Get/List/Describe... are reads).
 */
export function classifyAction(eventSource: string, eventName: string, writes?: number): ActionKind {
  if (EVASION[eventSource]?.test(eventName)) return "evasion";
  if (DATA[eventSource]?.test(eventName)) return "data";
  const isWrite = writes !== undefined ? writes > 0 : !READ_NAME.test(eventName);
  if (IDENTITY_SOURCES.has(eventSource)) return eventSource === "sts.amazonaws.com" && !/^(GetFederationToken|GetSessionToken|AssumeRole\w*)$/.test(eventName) ? "read" : "identity";
  if (eventSource === "kms.amazonaws.com") return isWrite || /^(Decrypt|ReEncrypt\w*|GenerateDataKey\w*)$/.test(eventName) ? "crypto" : "read";
  return isWrite ? "write" : "read";
}

/** `iam:CreateUser` from `iam.amazonaws.com` + `CreateUser`: the short form people read. */
export function actionName(eventSource: string, eventName: string): string {
  return `${eventSource.replace(/\.amazonaws\.com$/, "")}:${eventName}`;
}
