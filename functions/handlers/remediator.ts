import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { remediableRules } from "../core/rules/catalog/remediable";
import type { RemediationResponse } from "../adapters/aws/remediation/lambda-runner";
import { createAwsRemediationRunner, createRemediator, partitionOf, remediatorConfig, selfFromRoleArn } from "./remediator/index";
import { createLogger } from "./shared/logger";

export * from "./remediator/index";

const logger = createLogger("remediator");

/**
 * Wires the remediator from the environment (validated once per container; a bad one fails every
 * invocation with the reason). Only the rules that carry a remediation are loaded: the remediator
 * re-checks a request against its rule and has no use for the rest of the catalog.
 */
export function remediatorFromEnvironment(env: Record<string, string | undefined>, log: Logger = logger): ReturnType<typeof createRemediator> {
  const cfg = remediatorConfig(remediableRules, env);
  const self = selfFromRoleArn(cfg.functionRoleArn);
  return createRemediator({
    catalog: remediableRules,
    ruleSettings: cfg.ruleSettings,
    modes: cfg.remediation,
    runner: createAwsRemediationRunner({
      region: cfg.region,
      modes: cfg.remediation,
      ownRoles: cfg.triggerRoleArns,
      self: async () => self,
      ...(cfg.ledgerTable ? { ledgerTable: cfg.ledgerTable } : {}),
      maxEventAgeMinutes: cfg.maxEventAgeMinutes,
      protectedTargets: cfg.protectedTargets,
      // The member role is in the function's own partition.
      ...(cfg.memberRole ? { memberRole: { ...cfg.memberRole, partition: partitionOf(cfg.functionRoleArn) } } : {}),
    }),
    logger: log,
  });
}

let remediator: ReturnType<typeof createRemediator> | undefined;

/**
 * Lambda entry, invoked synchronously (RequestResponse) by the log analyzer with
 * `{ ruleId, record, retryTransient }`. Answers the remediation outcome, null when off, or
 * `{ transient: true, message }`; a bad request fails the invocation with the reason, which the
 * analyzer reports as a failed remediation.
 */
export const handler = async (event: unknown, context?: Context): Promise<RemediationResponse> => {
  if (context?.awsRequestId) logger.addContext(context);
  remediator ??= remediatorFromEnvironment(process.env);
  return remediator(event);
};
