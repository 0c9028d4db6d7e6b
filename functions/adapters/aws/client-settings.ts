/**
 * The one place trailwatch configures AWS SDK v3 clients: every client, in a Lambda, the CLI or a
 * script, is built from {@link clientSettings} or {@link cliClientSettings}, so each has socket
 * timeouts (a stuck connection fails the call rather than hanging the invocation or the command) and
 * the SDK's standard retry mode (exponential backoff with jitter, a retry quota) with a bounded
 * number of attempts. The settings are a plain object: importing this file adds nothing to a bundle.
 */

/** Socket timeouts of the SDK's Node HTTP handler (`requestHandler` options object). */
export interface RequestHandlerSettings {
  /** Ms to establish the connection. */
  connectionTimeout: number;
  /** Ms the socket may stay idle while waiting for an answer. */
  requestTimeout: number;
  /** Without it the SDK's Node handler only logs a warning when `requestTimeout` passes. */
  throwOnRequestTimeout: true;
}

/** Retry and timeout settings every client gets, whatever its region and credentials. */
export interface RetrySettings {
  /** Attempts per call including the first (SDK standard retry mode, jittered backoff). */
  maxAttempts: number;
  retryMode: "standard" | "adaptive";
  requestHandler: RequestHandlerSettings;
}

/** Settings shared by every AWS SDK v3 client a handler builds. */
export interface ClientSettings extends RetrySettings {
  region: string;
}

/** What a caller may change from the defaults. */
export interface ClientSettingsOptions {
  /** Default: `AWS_REGION`, else `AWS_DEFAULT_REGION` (Lambda sets both). */
  region?: string;
  /** Attempts per call including the first (default 4). */
  maxAttempts?: number;
  /** Idle socket timeout in ms (default 30 s); longer for calls that legitimately wait (a synchronous Lambda invoke). */
  requestTimeoutMs?: number;
}

const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ATTEMPTS = 4;

function retrySettings(opts: ClientSettingsOptions): RetrySettings {
  return {
    maxAttempts: opts.maxAttempts ?? MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}

/**
 * Client configuration for a Lambda handler (or a script given a region): the region from the
 * environment (Lambda sets `AWS_REGION`), standard retries with a few attempts so a brief throttle is
 * absorbed inside the invocation, and socket timeouts so a stuck connection fails the call rather
 * than the whole invocation. What is still failing after that is the caller's to report (e.g. an SQS
 * batch item failure, which SQS redelivers later).
 */
export function clientSettings(opts: ClientSettingsOptions = {}): ClientSettings {
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("no AWS region: set AWS_REGION (Lambda sets it) or pass one");
  return { region, ...retrySettings(opts) };
}

/**
 * Client configuration for the CLI: the same timeouts and retry mode, five attempts by default (a
 * person waits, and LookupEvents throttles at two calls a second), a named profile when given, and
 * the region left to the SDK's chain (`AWS_REGION`, the profile) unless given.
 */
export function cliClientSettings(opts: ClientSettingsOptions & { profile?: string }): RetrySettings & { region?: string; profile?: string } {
  return {
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...retrySettings({ ...opts, maxAttempts: opts.maxAttempts ?? 5 }),
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
