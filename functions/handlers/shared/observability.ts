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

/**
 * What may be logged about an error: its name, message, HTTP status and request id. Never the
 * request, the response body or a stack with data in it.
 */
export function errorFields(e: unknown): { error: string; errorName: string; httpStatus?: number; requestId?: string } {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  return {
    error: typeof err?.message === "string" ? err.message : String(e),
    errorName: typeof err?.name === "string" ? err.name : "Error",
    ...(err?.$metadata?.httpStatusCode ? { httpStatus: err.$metadata.httpStatusCode } : {}),
    ...(err?.$metadata?.requestId ? { requestId: err.$metadata.requestId } : {}),
  };
}
