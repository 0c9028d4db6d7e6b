import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { createRemediators } from "../../adapters/aws/remediation/index";
import { RemediationRunner, type SelfIdentity } from "../../adapters/aws/remediation/runner";
import { S3HttpClient } from "../../adapters/aws/s3-http";
import type { RemediationMode } from "../../core/remediation/permissions";
import { clientSettings, perRegion } from "../shared/aws-clients";

export interface AwsRunnerSettings {
  region: string;
  modes: Readonly<Record<string, RemediationMode>>;
  /** The runner's own identity (asked once, when the first remediation is due); undefined withholds remediation. */
  self: () => Promise<SelfIdentity | undefined>;
  /** Other trailwatch roles whose events are never remediated. */
  ownRoles?: readonly string[];
}

/** `arn:<partition>:iam::<account>:role/<path/name>` as the runner's identity, or undefined when it is not a role ARN. */
export function selfFromRoleArn(roleArn: string): SelfIdentity | undefined {
  const account = /^arn:[^:]+:iam::(\d{12}):role\/.+$/.exec(roleArn)?.[1];
  return account ? { accountId: account, roleArn } : undefined;
}

/**
 * The remediation runner with the real clients (CloudTrail, IAM and EC2 SDK clients; S3 over signed
 * HTTP, which carries the two Block Public Access calls without the S3 client's code; one client
 * per region where the resource's region matters). The remediator function uses it with the identity
 * from its `FUNCTION_ROLE_ARN`; `local-runner.ts` adds an STS lookup for runs outside Lambda.
 */
export function createAwsRemediationRunner(s: AwsRunnerSettings): RemediationRunner {
  const settings = clientSettings({ region: s.region });
  let iam: IAMClient | undefined;
  const clients = {
    cloudTrail: perRegion((region) => new CloudTrailClient({ ...settings, region })),
    iam: () => (iam ??= new IAMClient(settings)),
    s3: perRegion((region) => new S3HttpClient({ ...settings, region })),
    ec2: perRegion((region) => new EC2Client({ ...settings, region })),
  };
  return new RemediationRunner({
    modes: s.modes,
    remediators: createRemediators(clients),
    ...(s.ownRoles ? { ownRoles: s.ownRoles } : {}),
    self: s.self,
  });
}
