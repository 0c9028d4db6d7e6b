import type { Logger } from "@aws-lambda-powertools/logger";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { selfFromCallerIdentity, type RemediationRunner, type SelfIdentity } from "../../adapters/aws/remediation/runner";
import type { RemediationMode } from "../../core/remediation/permissions";
import * as z from "../../core/zod";
import { clientSettings } from "../../adapters/aws/client-settings";
import { parseEnv } from "../shared/env";
import { ledgerProblem, remediationSafetyEnv } from "../shared/remediation-env";
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
  /**
   * The caller's environment, for the safety checks' variables (`REMEDIATION_LEDGER_TABLE`,
   * `MAX_EVENT_AGE_MINUTES`, `PROTECTED_TARGETS`, as the remediator function reads them).
   */
  env: Record<string, string | undefined>;
  /** Names the caller in an error about those variables. */
  service: string;
}

const safetySchema = z.object(remediationSafetyEnv);

/**
 * The remediation runner in this process, for the log analyzer when it runs without a remediator
 * function (tests, local runs). Unlike the remediator function, which always knows its role from
 * `FUNCTION_ROLE_ARN`, it may have to ask STS who it is (GetCallerIdentity). The deployed analyzer
 * never loads it (see log-analyzer.ts).
 */
export function createLocalRemediationRunner(s: LocalRunnerSettings): RemediationRunner {
  const safety = parseEnv(s.service, safetySchema, s.env);
  const ledger = ledgerProblem(s.modes, safety.REMEDIATION_LEDGER_TABLE);
  if (ledger) throw new Error(`${s.service}: invalid environment: REMEDIATION_LEDGER_TABLE: ${ledger}`);
  const given = s.functionRoleArn ? selfFromRoleArn(s.functionRoleArn) : undefined;
  let self: Promise<SelfIdentity | undefined> | undefined = given ? Promise.resolve(given) : undefined;
  return createAwsRemediationRunner({
    region: s.region,
    modes: s.modes,
    ...(s.ownRoles ? { ownRoles: s.ownRoles } : {}),
    ...(safety.REMEDIATION_LEDGER_TABLE ? { ledgerTable: safety.REMEDIATION_LEDGER_TABLE } : {}),
    maxEventAgeMinutes: safety.MAX_EVENT_AGE_MINUTES,
    protectedTargets: safety.PROTECTED_TARGETS,
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
