import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { CloudTrailEventHistory } from "../../adapters/aws/remediation/event-history";
import { createRemediators } from "../../adapters/aws/remediation/index";
import { MemberAccountRemediators, type CredentialProvider } from "../../adapters/aws/remediation/member-accounts";
import { DynamoRemediationLedger } from "../../adapters/aws/remediation/remediation-ledger";
import { RemediationRunner, type SelfIdentity } from "../../adapters/aws/remediation/runner";
import type { RemediationClients } from "../../adapters/aws/remediation/types";
import { partitionOfArn } from "../../core/aws/partition";
import type { RemediationMode } from "../../core/remediation/permissions";
import { clientSettings, perRegion } from "../../adapters/aws/client-settings";

export interface AwsRunnerSettings {
  region: string;
  modes: Readonly<Record<string, RemediationMode>>;
  /** The runner's own identity (asked once, when the first remediation is due); undefined withholds remediation. */
  self: () => Promise<SelfIdentity | undefined>;
  /** Other trailwatch roles whose events are never remediated. */
  ownRoles?: readonly string[];
  /**
   * The role to assume in member accounts (partition: that of the function's own role). Without it
   * events of other accounts are skipped.
   */
  memberRole?: { name: string; externalId?: string; partition: string };
  /** The remediation ledger table (by event id); without it apply mode does not act. */
  ledgerTable?: string;
  /** Events older than this many minutes are refused. */
  maxEventAgeMinutes: number;
  /** Protected targets (ARN patterns) besides the built-in ones and trailwatch's own roles. */
  protectedTargets?: readonly string[];
}

/**
 * Attempts of a LookupEvents call. The API allows two requests a second per account and region; the
 * SDK's standard retry mode backs off a throttled call exponentially with jitter from a 500 ms base
 * (at most about 7 s over these attempts), so a throttled lookup waits and goes through. A throttle
 * that outlasts them is the caller's to retry with the whole message, well within the remediator's 60 s.
 */
export const LOOKUP_MAX_ATTEMPTS = 4;

/**
 * CloudTrail's event history, read with `credentials` (default: the function's own), throttling
 * retried by the SDK ({@link LOOKUP_MAX_ATTEMPTS}). The remediator is invoked for one finding at a
 * time, so a client-side rate limiter (the adaptive retry mode) would only add waiting.
 */
export function remediatorEventHistory(settings: { region: string }, credentials?: CredentialProvider): CloudTrailEventHistory {
  const base = { ...clientSettings({ region: settings.region, maxAttempts: LOOKUP_MAX_ATTEMPTS }), ...(credentials ? { credentials } : {}) };
  return new CloudTrailEventHistory(perRegion((r) => new CloudTrailClient({ ...base, region: r })));
}

/** `arn:<partition>:iam::<account>:role/<path/name>` as the runner's identity, or undefined when it is not a role ARN. */
export function selfFromRoleArn(roleArn: string): SelfIdentity | undefined {
  const account = /^arn:[^:]+:iam::(\d{12}):role\/.+$/.exec(roleArn)?.[1];
  return account ? { accountId: account, roleArn } : undefined;
}

/** The partition of an ARN (`aws`, `aws-us-gov`, `aws-cn`). */
export function partitionOf(arn: string): string {
  const p = partitionOfArn(arn);
  if (!p) throw new Error(`not an AWS ARN: ${arn}`);
  return p;
}

/**
 * The remediation clients, signing with `credentials` (default: the function's own, from the
 * environment): CloudTrail, IAM, S3 and EC2, one client per region where the resource's region matters.
 */
function awsClients(region: string, credentials?: CredentialProvider): RemediationClients {
  const settings = { ...clientSettings({ region }), ...(credentials ? { credentials } : {}) };
  let iam: IAMClient | undefined;
  return {
    cloudTrail: perRegion((r) => new CloudTrailClient({ ...settings, region: r })),
    iam: () => (iam ??= new IAMClient(settings)),
    s3: perRegion((r) => new S3Client({ ...settings, region: r })),
    ec2: perRegion((r) => new EC2Client({ ...settings, region: r })),
  };
}

/**
 * The remediation runner with the real clients: CloudTrail's event history to verify events, the
 * DynamoDB ledger, and the remediators' clients. With `memberRole`, events of other accounts are
 * verified and remediated there through the member role (STS AssumeRole, credentials cached per
 * account) with that account's own clients. The remediator function uses it with the identity from its
 * `FUNCTION_ROLE_ARN`; `local-runner.ts` adds an STS lookup for runs outside Lambda.
 */
export function createAwsRemediationRunner(s: AwsRunnerSettings): RemediationRunner {
  const member = s.memberRole;
  return new RemediationRunner({
    modes: s.modes,
    remediators: createRemediators(awsClients(s.region)),
    eventHistory: remediatorEventHistory(s),
    ...(s.ledgerTable ? { ledger: new DynamoRemediationLedger(new DynamoDBClient(clientSettings({ region: s.region })), s.ledgerTable) } : {}),
    maxEventAgeMs: s.maxEventAgeMinutes * 60_000,
    ...(s.protectedTargets ? { protectedTargets: s.protectedTargets } : {}),
    ...(s.ownRoles ? { ownRoles: s.ownRoles } : {}),
    ...(member
      ? {
          memberAccounts: new MemberAccountRemediators({
            roleName: member.name,
            ...(member.externalId ? { externalId: member.externalId } : {}),
            partition: member.partition,
            sts: new STSClient(clientSettings({ region: s.region })),
            remediatorsFor: (credentials) => createRemediators(awsClients(s.region, credentials)),
            eventHistoryFor: (credentials) => remediatorEventHistory(s, credentials),
          }),
        }
      : {}),
    self: s.self,
  });
}
