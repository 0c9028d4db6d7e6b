import { resolvePrincipal, type Principal } from "../record/principal";
import type { UserIdentity } from "../record/schema";
import type { RawRecord } from "./threshold-rule";

/** Identity types of people and workloads acting on their own (AWS services and anonymous callers are not). */
export const ACTOR_TYPES = ["IAMUser", "AssumedRole", "Root", "FederatedUser", "IdentityCenterUser"] as const;

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

const cache = new Map<string, Principal>();
const CACHE_MAX = 20_000;

/**
 * The principal of a raw (not yet validated) record, exactly as `resolvePrincipal` gives it for the
 * validated record, reading only string fields (anything else is left out). Undefined for calls an
 * AWS service made on the principal's behalf (`invokedBy`, except the console), for service-linked roles (AWS acting in the
 * account), and for identity types that are not {@link ACTOR_TYPES}. Cached by identity: raw
 * observers run on every record.
 */
export function rawActor(raw: RawRecord): Principal | undefined {
  const ui = obj(raw.userIdentity);
  if (!ui) return undefined;
  const type = str(ui.type);
  if (!type || !(ACTOR_TYPES as readonly string[]).includes(type)) return undefined;
  if (byService(ui.invokedBy)) return undefined;
  const arn = str(ui.arn);
  const sc = obj(ui.sessionContext);
  const issuer = obj(sc?.sessionIssuer);
  const issuerArn = str(issuer?.arn);
  if ((issuerArn ?? arn ?? "").includes(":role/aws-service-role/")) return undefined;
  const key = `${type}|${arn ?? ""}|${issuerArn ?? ""}|${str(ui.principalId) ?? ""}|${str(ui.accountId) ?? ""}|${str(ui.userName) ?? ""}`;
  let p = cache.get(key);
  if (!p) {
    const clean: UserIdentity = { type };
    for (const f of ["arn", "accountId", "userName", "principalId", "credentialId"] as const) {
      const v = str(ui[f]);
      if (v !== undefined) clean[f] = v;
    }
    if (issuer) clean.sessionContext = { sessionIssuer: { arn: issuerArn, userName: str(issuer.userName), accountId: str(issuer.accountId) } };
    const onBehalfOf = obj(ui.onBehalfOf);
    if (onBehalfOf) clean.onBehalfOf = { userId: str(onBehalfOf.userId), identityStoreArn: str(onBehalfOf.identityStoreArn) };
    p = resolvePrincipal(clean);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, p);
  }
  return p;
}

/**
 * True when a validated record is a call a person or a workload made itself: one of the
 * {@link ACTOR_TYPES}, not made by an AWS service on its behalf (`invokedBy`), not a service-linked role.
 */
export function isActorCall(record: { userIdentity?: UserIdentity | null }, principal: Principal): boolean {
  if (!(ACTOR_TYPES as readonly string[]).includes(principal.type)) return false;
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
