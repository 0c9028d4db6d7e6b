/** Settings shared by every AWS SDK v3 client a handler builds. */
export interface ClientSettings {
  region: string;
  /** Attempts per call including the first (SDK standard retry mode, jittered backoff). */
  maxAttempts: number;
  retryMode: "standard" | "adaptive";
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

/**
 * Client configuration for a Lambda handler: the region from the environment (Lambda sets
 * `AWS_REGION`), standard retries with a few attempts so a brief throttle is absorbed inside the
 * invocation, and socket timeouts so a stuck connection fails the call rather than the whole
 * invocation. What is still failing after that is the caller's to report (e.g. an SQS batch item
 * failure, which SQS redelivers later).
 */
export function clientSettings(opts: { region?: string; maxAttempts?: number } = {}): ClientSettings {
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("no AWS region: set AWS_REGION (Lambda sets it) or pass one");
  return {
    region,
    maxAttempts: opts.maxAttempts ?? 4,
    retryMode: "standard",
    // Without throwOnRequestTimeout the SDK's Node handler only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
  };
}

/** Memoizes one client per region (CloudTrail, EC2 and S3 calls must go to the resource's region). */
export function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let c = clients.get(region);
    if (c === undefined) clients.set(region, (c = make(region)));
    return c;
  };
}
