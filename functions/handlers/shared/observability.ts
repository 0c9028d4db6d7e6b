import { Metrics } from "@aws-lambda-powertools/metrics";

export { createLogger } from "./logger";

/** CloudWatch namespace of every trailwatch metric (contracts: `POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = "trailwatch";

/**
 * Powertools Metrics writing CloudWatch Embedded Metric Format to stdout: CloudWatch Logs turns the
 * lines into metrics, so no `cloudwatch:PutMetricData` call or permission is needed. Every metric
 * carries the `service` dimension; call `publishStoredMetrics()` at the end of each invocation.
 */
export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE, serviceName });
}

export { errorFields } from "../../adapters/aws/error-fields";
