import type { Logger } from "@aws-lambda-powertools/logger";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createRemediators } from "../../adapters/aws/remediation/index";
import { RemediationRunner, selfFromCallerIdentity, type SelfIdentity } from "../../adapters/aws/remediation/runner";
import type { RemediationMode } from "../../core/remediation/permissions";
import { clientSettings, perRegion } from "../shared/aws-clients";
import { errorFields } from "../shared/observability";

export interface LocalRunnerSettings {
  region: string;
  modes: Readonly<Record<string, RemediationMode>>;
  /** The function's own role; when absent it is asked from STS the first time a remediation is due. */
  functionRoleArn?: string;
  /** Other trailwatch roles whose events are never remediated. */
  ownRoles?: readonly string[];
  logger: Logger;
}

/**
 * The remediation runner with the real SDK clients, in this process: the remediator function's, and
 * the log analyzer's when it runs without a remediator function (locally). This module is what
 * carries the EC2, IAM and CloudTrail clients, so the deployed analyzer never loads it.
 */
export function createLocalRemediationRunner(s: LocalRunnerSettings): RemediationRunner {
  const settings = clientSettings({ region: s.region });
  const cached = <T>(make: () => T) => {
    let c: T | undefined;
    return () => (c ??= make());
  };
  const clients = {
    cloudTrail: perRegion((region) => new CloudTrailClient({ ...settings, region })),
    iam: cached(() => new IAMClient(settings)),
    s3: perRegion((region) => new S3Client({ ...settings, region })),
    ec2: perRegion((region) => new EC2Client({ ...settings, region })),
  };
  // With the role ARN given, STS is never asked.
  const fromArn = s.functionRoleArn ? /^arn:[^:]+:iam::(\d{12}):role\//.exec(s.functionRoleArn)?.[1] : undefined;
  let self: Promise<SelfIdentity | undefined> | undefined = fromArn ? Promise.resolve({ accountId: fromArn, roleArn: s.functionRoleArn! }) : undefined;
  return new RemediationRunner({
    modes: s.modes,
    remediators: createRemediators(clients),
    ...(s.ownRoles ? { ownRoles: s.ownRoles } : {}),
    // Asked once per container and only when a remediation is due; a failure is retried next time.
    self: () =>
      (self ??= new STSClient(settings)
        .send(new GetCallerIdentityCommand({}))
        .then((r) => {
          const id = selfFromCallerIdentity(r.Account, r.Arn);
          s.logger.info("own identity for the remediation guard", { account: id?.accountId, role: id?.roleArn });
          return id;
        })
        .catch((e: unknown) => {
          s.logger.warn("could not tell the function's own identity; remediation is withheld", errorFields(e));
          self = undefined;
          return undefined;
        })),
  });
}
