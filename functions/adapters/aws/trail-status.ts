import {
  CloudTrailClient,
  GetTrailStatusCommand,
  StartLoggingCommand,
  type GetTrailStatusCommandOutput,
} from "@aws-sdk/client-cloudtrail";
import { splitArn, TRAIL_ARN } from "../../core/aws/identifiers";
import { clientSettings } from "./client-settings";
import { withRetries } from "./retry";

/** A trail named by its ARN; `region` is the trail's home region (where its API calls must go). */
export interface TrailRef {
  arn: string;
  partition: string;
  region: string;
  account: string;
  name: string;
}

/** Splits `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`; undefined when it is not one. */
export function parseTrailArn(arn: string): TrailRef | undefined {
  const parts = splitArn(TRAIL_ARN, arn.trim());
  return parts && { arn: arn.trim(), ...parts };
}

const TRAILS_EXAMPLE = '["arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"]';

/**
 * Parses `PROTECTED_TRAILS` (a JSON array of trail ARNs). Errors say what is wrong and which entry;
 * the caller (`parseEnv`) puts the variable's name in front.
 */
export function parseProtectedTrails(json: string | undefined): TrailRef[] {
  if (json === undefined || json.trim() === "") return [];
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    throw new Error(`is not JSON; expected an array of trail ARNs such as ${TRAILS_EXAMPLE}`);
  }
  if (!Array.isArray(list)) throw new Error(`must be a JSON array of trail ARNs, e.g. ${TRAILS_EXAMPLE}`);
  return list.map((v, i) => {
    const t = typeof v === "string" ? parseTrailArn(v) : undefined;
    if (!t) throw new Error(`entry [${i}] (${JSON.stringify(v)}) is not a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>`);
    return t;
  });
}

/**
 * The protected trail a StopLogging/UpdateTrail call refers to. `requestParameters.name` may be an
 * ARN (matched exactly) or a bare name, which CloudTrail resolves in the caller's account and the
 * region the call was made in, so a name matches only with that account and region.
 */
export function findProtectedTrail(
  trails: readonly TrailRef[],
  nameOrArn: string | undefined,
  where: { account: string; region: string },
): TrailRef | undefined {
  if (!nameOrArn) return undefined;
  if (nameOrArn.startsWith("arn:")) return trails.find((t) => t.arn === nameOrArn);
  return trails.find((t) => t.name === nameOrArn && t.account === where.account && t.region === where.region);
}

/** The facts of GetTrailStatus that trailwatch checks. */
export type TrailStatus = Pick<
  GetTrailStatusCommandOutput,
  | "IsLogging"
  | "LatestDeliveryError"
  | "LatestDeliveryTime"
  | "LatestDigestDeliveryError"
  | "LatestDigestDeliveryTime"
  | "LatestCloudWatchLogsDeliveryError"
  | "LatestCloudWatchLogsDeliveryTime"
  | "LatestNotificationError"
  | "LatestNotificationTime"
  | "StartLoggingTime"
  | "StopLoggingTime"
>;

export interface RetryOptions {
  /** Attempts, the first included (default 4). */
  maxAttempts?: number;
  /** First backoff step in ms (default 300); the n-th retry waits a random time up to base * 2^n. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A call that failed after retries, with how many attempts were made. */
export class TrailCallError extends Error {
  override name = "TrailCallError";
  constructor(
    readonly action: string,
    readonly trail: TrailRef,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    const e = cause as { name?: string; message?: string };
    super(`${action} on ${trail.arn} failed after ${attempts} attempt(s): ${e?.name ?? "Error"}: ${e?.message ?? String(cause)}`);
  }

  /** The AWS error name, e.g. `TrailNotFoundException`, `AccessDeniedException`, `ThrottlingException`. */
  get errorName(): string {
    return (this.cause as { name?: string })?.name ?? "Error";
  }
}

/**
 * Reads and restores the logging state of trails, each in its home region. One CloudTrail client per
 * region; clients make one attempt per call and this class retries transient failures (the shared
 * classification: throttling, 5xx, network) with the shared exponential backoff and jitter, so the
 * attempts a StartLogging took are known and reported, and retries are the same in tests and in Lambda.
 */
export class TrailControl {
  private readonly clients = new Map<string, CloudTrailClient>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep?: (ms: number) => Promise<void>;

  constructor(
    private readonly clientFor: (region: string) => CloudTrailClient = (region) =>
      // One attempt per call (this class retries) and socket timeouts, so a stuck call fails instead of the invocation.
      new CloudTrailClient(clientSettings({ region, maxAttempts: 1, requestTimeoutMs: 10_000 })),
    retry: RetryOptions = {},
  ) {
    this.maxAttempts = retry.maxAttempts ?? 4;
    this.baseDelayMs = retry.baseDelayMs ?? 300;
    this.sleep = retry.sleep;
  }

  private client(region: string): CloudTrailClient {
    let c = this.clients.get(region);
    if (!c) this.clients.set(region, (c = this.clientFor(region)));
    return c;
  }

  /** GetTrailStatus in the trail's home region. Throws `TrailCallError`. */
  async status(trail: TrailRef): Promise<TrailStatus> {
    return this.call("GetTrailStatus", trail, () => this.client(trail.region).send(new GetTrailStatusCommand({ Name: trail.arn })));
  }

  /** StartLogging in the trail's home region. Throws `TrailCallError`. Returns the attempts it took. */
  async startLogging(trail: TrailRef): Promise<{ attempts: number }> {
    let attempts = 0;
    await this.call("StartLogging", trail, () => {
      attempts++;
      return this.client(trail.region).send(new StartLoggingCommand({ Name: trail.arn }));
    });
    return { attempts };
  }

  private async call<T>(action: string, trail: TrailRef, fn: () => Promise<T>): Promise<T> {
    let attempts = 0;
    try {
      return await withRetries(
        (attempt) => {
          attempts = attempt;
          return fn();
        },
        { maxAttempts: this.maxAttempts, baseMs: this.baseDelayMs, sleep: this.sleep },
      );
    } catch (err) {
      throw new TrailCallError(action, trail, attempts, err);
    }
  }
}
