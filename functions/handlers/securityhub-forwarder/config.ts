import { PARTITION_PATTERN } from "../../core/aws/partition";
import type { AsffTarget } from "../../core/formats/asff";
import * as z from "../../core/zod";
import { intVar, parseEnv, queueUrlVar, requiredVar } from "../shared/env";

const PRODUCT_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):securityhub:([a-z0-9-]+):(\\d{12}):product/(\\d{12})/default$`);
const PRODUCT_EXAMPLE = "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default";

const envSchema = z.object({
  /** The default product of the deployment's account: where findings are imported. */
  SECURITYHUB_PRODUCT_ARN: requiredVar(
    z.string().check(
      z.trim(),
      z.regex(PRODUCT_ARN, `must be the account's default product ARN, e.g. ${PRODUCT_EXAMPLE}`),
      z.refine((v) => {
        const m = PRODUCT_ARN.exec(v);
        return !m || m[3] === m[4];
      }, "must name the same account twice (arn:...:<account>:product/<account>/default)"),
    ),
    `the Security Hub default product ARN, e.g. ${PRODUCT_EXAMPLE}`,
  ),
  /** Where alerts Security Hub refuses for good go (the undeliverable-alerts queue). */
  UNDELIVERABLE_QUEUE_URL: queueUrlVar("https://sqs.eu-west-1.amazonaws.com/111122223333/trailwatch-undeliverable-alerts"),
  /** Attempts for findings Security Hub lists as failed. */
  SECURITYHUB_MAX_ATTEMPTS: intVar(3, 1, 10),
});

/** The forwarder's settings, from its environment. */
export interface SecurityHubForwarderConfig {
  target: AsffTarget;
  productArn: string;
  undeliverableQueueUrl?: string;
  maxAttempts: number;
}

/**
 * Reads SECURITYHUB_PRODUCT_ARN (the account's default product, which also gives the partition,
 * region and account findings are imported for), UNDELIVERABLE_QUEUE_URL and SECURITYHUB_MAX_ATTEMPTS
 * (1..10, default 3). Throws `EnvError` naming every bad variable.
 */
export function securityHubForwarderConfig(env: Record<string, string | undefined>): SecurityHubForwarderConfig {
  const e = parseEnv("securityhub-forwarder", envSchema, env);
  const m = PRODUCT_ARN.exec(e.SECURITYHUB_PRODUCT_ARN)!;
  return {
    target: { partition: m[1]!, region: m[2]!, account: m[3]! },
    productArn: e.SECURITYHUB_PRODUCT_ARN,
    ...(e.UNDELIVERABLE_QUEUE_URL ? { undeliverableQueueUrl: e.UNDELIVERABLE_QUEUE_URL } : {}),
    maxAttempts: e.SECURITYHUB_MAX_ATTEMPTS,
  };
}
