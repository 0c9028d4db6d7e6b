import { resolvePrincipal, type Principal } from "../record/principal";
import type { UserIdentity } from "../record/schema";
import type { RawRecord } from "./threshold-rule";

/** Identity types of people and workloads acting on their own (AWS services and anonymous callers are not). */
export const ACTOR_TYPES = ["IAMUser", "AssumedRole", "Root", "FederatedUser", "IdentityCenterUser"] as const;
const ACTOR_TYPE_SET: ReadonlySet<string> = new Set(ACTOR_TYPES);

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/**
 * `invokedBy` values that still mean the principal acted itself: the console signs calls for the
 * signed-in user as `signin.amazonaws.com` (the catalog's root rule treats it the same way).
 */
const SELF_INVOKERS = new Set(["signin.amazonaws.com", "AWS Internal"]);

/** True when an AWS service made the call on the principal's behalf. */
function byService(invokedBy: unknown): boolean {
  return invokedBy !== undefined && invokedBy !== null && !(typeof invokedBy === "string" && SELF_INVOKERS.has(invokedBy));
}

/** A principal resolved from a raw record, with its actor key (see {@link actorKey}). */
export interface RawActor {
  principal: Principal;
  key: string;
}

/**
 * Resolved actors by access key id, ARN or whole identity, `null` for a service-linked role: raw
 * observers run on every record.
 */
const cache = new Map<string, RawActor | null>();
let cached = 0;
const CACHE_MAX = 20_000;

/**
 * The principal of a raw (not yet validated) record, exactly as `resolvePrincipal` gives it for the
 * validated record, reading only string fields (anything else is left out), with its actor key.
 * Undefined for calls an AWS service made on the principal's behalf (`invokedBy`, except the console),
 * for service-linked roles (AWS acting in the account), and for identity types that are not
 * {@link ACTOR_TYPES}. Cached by access key id (a session's, or a user's long-term key), else by ARN.
 */
export function rawActor(raw: RawRecord): RawActor | undefined {
  const ui = obj(raw.userIdentity);
  if (!ui) return undefined;
  const type = str(ui.type);
  if (!type || !ACTOR_TYPE_SET.has(type)) return undefined;
  if (byService(ui.invokedBy)) return undefined;
  // The access key names a session (or a user's long-term key) in the fewest characters (hashing the
  // key of every record is most of the cost); then the ARN; without either, every field resolution reads.
  const id = str(ui.accessKeyId) || str(ui.arn) || `${str(obj(obj(ui.sessionContext)?.sessionIssuer)?.arn) ?? ""}|${str(ui.principalId) ?? ""}|${str(ui.accountId) ?? ""}|${str(ui.userName) ?? ""}|${JSON.stringify(ui.onBehalfOf ?? null)}`;
  let a = cache.get(id);
  if (a === undefined || (a !== null && a.principal.type !== type)) {
    a = resolveActor(type, ui);
    if (++cached > CACHE_MAX) {
      cache.clear();
      cached = 1;
    }
    cache.set(id, a);
  }
  return a ?? undefined;
}

/** Resolves an identity of a raw record (string fields only); null for a service-linked role. */
function resolveActor(type: string, ui: Record<string, unknown>): RawActor | null {
  const issuer = obj(obj(ui.sessionContext)?.sessionIssuer);
  const issuerArn = str(issuer?.arn);
  if ((issuerArn ?? str(ui.arn) ?? "").includes(":role/aws-service-role/")) return null;
  const clean: UserIdentity = { type };
  for (const f of ["arn", "accountId", "userName", "principalId", "credentialId"] as const) {
    const v = str(ui[f]);
    if (v !== undefined) clean[f] = v;
  }
  if (issuer) clean.sessionContext = { sessionIssuer: { arn: issuerArn, userName: str(issuer.userName), accountId: str(issuer.accountId) } };
  const onBehalfOf = obj(ui.onBehalfOf);
  if (onBehalfOf) clean.onBehalfOf = { userId: str(onBehalfOf.userId), identityStoreArn: str(onBehalfOf.identityStoreArn) };
  const principal = resolvePrincipal(clean);
  return { principal, key: actorKey(principal) };
}

/**
 * True when a validated record is a call a person or a workload made itself: one of the
 * {@link ACTOR_TYPES}, not made by an AWS service on its behalf (`invokedBy`), not a service-linked role.
 */
export function isActorCall(record: { userIdentity?: UserIdentity | null }, principal: Principal): boolean {
  if (!ACTOR_TYPE_SET.has(principal.type)) return false;
  if (byService(record.userIdentity?.invokedBy)) return false;
  return !principal.id.includes(":role/aws-service-role/");
}

/**
 * The actor a threshold rule counts for by default: the principal, and for a role session or a
 * federated user its session too. People who share an Identity Center permission set (one role) are
 * counted apart, and so are the sessions of one workload role (each Lambda, task or instance).
 */
export function actorKey(p: Principal): string {
  return p.session && (p.type === "AssumedRole" || p.type === "FederatedUser") ? `${p.id} session ${p.session}` : p.id;
}

/**
 * An object field of a raw record (`requestParameters`, ...) as an object: some exporters write it as
 * JSON text, which is parsed as record validation would; anything else is an empty object.
 */
export function rawObjectField(v: unknown): Record<string, unknown> {
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === "string" && v.trim().startsWith("{")) {
    try {
      const o = JSON.parse(v) as unknown;
      if (o && typeof o === "object" && !Array.isArray(o)) return o as Record<string, unknown>;
    } catch {
      /* not JSON: no fields */
    }
  }
  return {};
}

/** The event id of a raw record (or, without one, what identifies the call), for counting events once. */
export function rawEventKey(raw: RawRecord): string {
  return typeof raw.eventID === "string" && raw.eventID ? raw.eventID : `${raw.eventTime}|${typeof raw.requestID === "string" ? raw.requestID : ""}|${raw.eventName}`;
}
