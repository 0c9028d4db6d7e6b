import type { Identity } from "./identities";
import type { Estate } from "./estate";
import type { AccountSpec, Organization } from "./organization";
import type { EventSpec } from "./record";
import { Rng, hash128 } from "./random";
import { HOUR, MINUTE } from "./time";

/** How an actor's volume follows the clock (UTC; the organization's people work in Europe). */
export type Curve = "office" | "always" | "ci" | "nightly" | "flat";

const OFFICE = [0, 0, 0, 0, 0, 0, 0.05, 0.4, 0.85, 1, 1, 0.9, 0.6, 0.8, 1, 1, 0.85, 0.55, 0.25, 0.12, 0.06, 0.03, 0.01, 0];

/** Relative activity (0..1) of a curve at an hour of a weekday (0 = Sunday). */
export function curveFactor(curve: Curve, hour: number, weekday: number): number {
  const weekend = weekday === 0 || weekday === 6;
  switch (curve) {
    case "office":
      return OFFICE[hour]! * (weekend ? 0.04 : 1);
    case "ci":
      return OFFICE[hour]! * (weekend ? 0.02 : 1);
    case "always":
      return (0.55 + 0.45 * OFFICE[hour]!) * (weekend ? 0.75 : 1);
    case "nightly":
      return hour === 2 ? 1 : 0;
    case "flat":
      return 1;
  }
}

/** Who makes a call: identity plus where from and with what client. */
export interface Caller {
  identity: Identity;
  ip: string;
  ua: string;
  /** Called by an AWS service on the principal's behalf: no TLS details. */
  byService?: boolean;
  console?: boolean;
  /** Calls through an interface VPC endpoint (private source IP, vpcEndpointId). */
  vpce?: string;
}

/** What an activity gets when it emits events. */
export interface EmitCtx {
  rng: Rng;
  org: Organization;
  account: AccountSpec;
  estate: Estate;
  /** Start time of the emission (epoch ms). */
  t: number;
  /** Start of the hour being generated; no event may be earlier (files before it are written). */
  hourStart: number;
  /** Region chosen for this emission. */
  region: string;
  push(e: EventSpec): void;
  sessions: Sessions;
  token(): string;
}

/** A recurring piece of routine work of one principal. */
export interface Activity {
  /** Stable name, also the PRNG stream name. */
  id: string;
  /** Mean emissions per hour at the curve's peak, at scale 1. */
  perHour: number;
  curve: Curve;
  /** Where it happens: the global-service region, the home region, or any region (weights to home). */
  where: "global" | "home" | "any" | "all";
  emit(c: EmitCtx): void;
}

/**
 * Session identities, cached per block of time: the same principal keeps one session (one access key,
 * one creationDate shortly before the block) for `blockHours`, as real role sessions and console
 * sessions do.
 */
export class Sessions {
  private cache = new Map<string, { identity: Identity; created: number }>();

  get(key: string, t: number, blockHours: number, make: (created: number, block: number) => Identity): Identity {
    const len = blockHours * HOUR;
    const block = Math.floor(t / len) * len;
    const k = key + "|" + block;
    let s = this.cache.get(k);
    if (!s) {
      const created = block - (1 + (hash128(k)[0] % 40)) * MINUTE;
      s = { identity: make(created, block), created };
      this.cache.set(k, s);
    }
    return s.identity;
  }

  clear(): void {
    this.cache.clear();
  }
}

/** Host header CloudTrail records for a service endpoint in a region. */
export function hostFor(eventSource: string, region: string): string {
  const svc = eventSource.replace(/\.amazonaws\.com$/, "");
  switch (svc) {
    case "iam":
      return "iam.amazonaws.com";
    case "signin":
      return "signin.aws.amazon.com";
    case "organizations":
      return "organizations.us-east-1.amazonaws.com";
    case "ce":
      return "ce.us-east-1.amazonaws.com";
    case "sso":
      return `sso.${region}.amazonaws.com`;
    case "s3":
      return `s3.${region}.amazonaws.com`;
    default:
      return `${svc}.${region}.amazonaws.com`;
  }
}

/** Emits one call of `who` at `c.t + dtMs`. */
export function call(
  c: EmitCtx,
  who: Caller,
  eventSource: string,
  eventName: string,
  o: Partial<EventSpec> & { readOnly: boolean },
  dtMs = 0,
): void {
  const region = o.region ?? c.region;
  const spec: EventSpec = {
    time: c.t + dtMs,
    account: c.account.id,
    region,
    identity: who.identity,
    eventSource,
    eventName,
    sourceIPAddress: who.ip,
    userAgent: who.ua,
    ...o,
  };
  if (who.byService) delete spec.host;
  else if (spec.host === undefined) spec.host = hostFor(eventSource, region);
  if (who.console && spec.console === undefined) spec.console = true;
  if (who.vpce && spec.vpcEndpointId === undefined) spec.vpcEndpointId = who.vpce;
  c.push(spec);
}

/** Random base64 text that session tokens are cut from (cheap, deterministic). */
export class TokenPool {
  private readonly text: string;
  private readonly rng: Rng;
  constructor(seed: string) {
    const r = new Rng(seed, "token-pool");
    this.text = r.base64(16384);
    this.rng = new Rng(seed, "token-offsets");
  }
  /** A session token of realistic length (600-900 characters). */
  token(): string {
    const len = 600 + this.rng.int(300);
    const off = this.rng.int(this.text.length - len);
    return "IQoJb3JpZ2luX2VjE" + this.text.slice(off, off + len);
  }
}

/** A few seconds to minutes of spacing between calls of one burst. */
export function gap(rng: Rng, minS: number, maxS: number): number {
  return (minS + rng.next() * (maxS - minS)) * 1000;
}
