import type { Context } from "aws-lambda";
import { catalog } from "../core/rules/catalog";
import type { RemediationResponse } from "../adapters/aws/remediation/lambda-runner";
import { createLocalRemediationRunner, createRemediator, remediatorConfig } from "./remediator/index";
import { createLogger } from "./shared/observability";

export * from "./remediator/index";

const logger = createLogger("remediator");

/** Wires the remediator from the environment (validated once per container; a bad one fails every invocation with the reason). */
function fromEnvironment(env: Record<string, string | undefined>): ReturnType<typeof createRemediator> {
  const cfg = remediatorConfig(catalog, env);
  return createRemediator({
    catalog,
    ruleSettings: cfg.ruleSettings,
    modes: cfg.remediation,
    runner: createLocalRemediationRunner({
      region: cfg.region,
      modes: cfg.remediation,
      ...(cfg.functionRoleArn ? { functionRoleArn: cfg.functionRoleArn } : {}),
      ownRoles: cfg.triggerRoleArns,
      logger,
    }),
    logger,
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
  remediator ??= fromEnvironment(process.env);
  return remediator(event);
};
