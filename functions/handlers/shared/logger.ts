import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The one way a function builds its logger: a Powertools JSON logger named after the function, level
 * from `POWERTOOLS_LOG_LEVEL` (default INFO). A file of its own, so a function that publishes no
 * metrics does not bundle Powertools Metrics.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
