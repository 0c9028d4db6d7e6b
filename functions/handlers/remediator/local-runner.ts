import type { Logger } from "@aws-lambda-powertools/logger";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { selfFromCallerIdentity, type RemediationRunner, type SelfIdentity } from "../../adapters/aws/remediation/runner";
import type { RemediationMode } from "../../core/remediation/permissions";
import { clientSettings } from "../shared/aws-clients";
import { errorFields } from "../shared/observability";
import { createAwsRemediationRunner, selfFromRoleArn } from "./aws-runner";

export interface LocalRunnerSettings {
  region: string;
  modes: Readonly<Record<string, RemediationMode>>;
  /** The caller's own role; when absent it is asked from STS the first time a remediation is due. */
  functionRoleArn?: string;
  /** Other trailwatch roles whose events are never remediated. */
  ownRoles?: readonly string[];
  logger: Logger;
}

/**
 * The remediation runner in this process, for the log analyzer when it runs without a remediator
 * function (tests, local runs). Unlike the remediator function, which always knows its role from
 * `FUNCTION_ROLE_ARN`, it may have to ask STS who it is (GetCallerIdentity). The deployed analyzer
 * never loads it (see log-analyzer.ts).
 */
export function createLocalRemediationRunner(s: LocalRunnerSettings): RemediationRunner {
  const given = s.functionRoleArn ? selfFromRoleArn(s.functionRoleArn) : undefined;
  let self: Promise<SelfIdentity | undefined> | undefined = given ? Promise.resolve(given) : undefined;
  return createAwsRemediationRunner({
    region: s.region,
    modes: s.modes,
    ...(s.ownRoles ? { ownRoles: s.ownRoles } : {}),
    // Asked once per process and only when a remediation is due; a failure is retried next time.
    self: () =>
      (self ??= new STSClient(clientSettings({ region: s.region }))
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
