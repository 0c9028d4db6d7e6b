import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import { recordBoundsProblem } from "./bounds";

/**
 * The CloudTrail record as trailwatch reads it.
 *
 * Only the fields rules and principal resolution rely on are typed; every other field is passed
 * through untouched (`looseObject`), because AWS adds fields over time and a monitor must never drop
 * a record for having one it does not know. Values that real logs get "wrong" (an unknown region, a
 * service name instead of an IP address, a null `requestParameters`) are accepted as they are.
 * Strict only where it matters: `eventName`, `eventSource` and `eventTime` must be non-empty strings.
 */
const nullableRecord = z.record(z.string(), z.unknown()).nullish();

/**
 * Some exporters write an object field as JSON text (seen: `"requestParameters": "null"`); read such a
 * string as the object or null it encodes. Any other string is left alone and fails validation.
 */
function objectFromJsonText(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (t === "" || t === "null") return null;
  if (!t.startsWith("{")) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}
const jsonObjectField = z.preprocess(objectFromJsonText, nullableRecord);

export const sessionIssuerSchema = z.looseObject({
  type: z.string().optional(),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
});

export const userIdentitySchema = z.looseObject({
  type: z.string().optional(),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  accessKeyId: z.string().optional(),
  userName: z.string().optional(),
  invokedBy: z.string().nullish(),
  identityProvider: z.string().optional(),
  credentialId: z.string().optional(),
  sessionContext: z
    .looseObject({
      sessionIssuer: sessionIssuerSchema.nullish(),
      attributes: z
        .looseObject({
          mfaAuthenticated: z.union([z.string(), z.boolean()]).optional(),
          creationDate: z.string().optional(),
        })
        .nullish(),
      webIdFederationData: z
        .looseObject({ federatedProvider: z.string().optional() })
        .nullish(),
      sourceIdentity: z.string().optional(),
    })
    .nullish(),
  onBehalfOf: z
    .looseObject({ userId: z.string().optional(), identityStoreArn: z.string().optional() })
    .nullish(),
});

const nonEmpty = (field: string) =>
  z.string({ error: `${field} is missing or not a string` }).min(1, `${field} is empty`);

export const cloudTrailRecordSchema = z.looseObject({
  eventVersion: z.string().optional(),
  eventTime: nonEmpty("eventTime"),
  eventSource: nonEmpty("eventSource"),
  eventName: nonEmpty("eventName"),
  awsRegion: z.string().optional(),
  sourceIPAddress: z.string().nullish(),
  userAgent: z.string().nullish(),
  userIdentity: userIdentitySchema.nullish(),
  errorCode: z.string().nullish(),
  errorMessage: z.string().nullish(),
  requestParameters: jsonObjectField,
  responseElements: z.unknown().optional(),
  additionalEventData: jsonObjectField,
  requestID: z.string().nullish(),
  eventID: z.string().nullish(),
  eventType: z.string().nullish(),
  readOnly: z.union([z.boolean(), z.string()]).nullish(),
  recipientAccountId: z.string().nullish(),
  resources: z.array(z.looseObject({ ARN: z.string().optional(), type: z.string().optional() })).nullish(),
  sharedEventID: z.string().nullish(),
  vpcEndpointId: z.string().nullish(),
});

export type CloudTrailRecord = z.infer<typeof cloudTrailRecordSchema>;
export type UserIdentity = z.infer<typeof userIdentitySchema>;

/** Why a record could not be used, and where it was. */
export interface InvalidRecord {
  /** File (or object key) the record came from. */
  source: string;
  /** 0-based index in the file's record list, or 1-based line number for JSON Lines (see `where`). */
  position: number;
  /** Human wording of the position, e.g. "record 12" or "line 40". */
  where: string;
  reason: string;
}

/**
 * Cheap structural check used on the hot path: the three fields the engine indexes on.
 * Full zod validation runs only for records a rule is about to see (see `parseRecord`), which keeps a
 * scan close to the speed of JSON.parse while rules still get a validated, typed record.
 */
export function missingRequiredField(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const r = value as Record<string, unknown>;
  for (const f of ["eventName", "eventSource", "eventTime"] as const) {
    const v = r[f];
    if (typeof v !== "string" || v.length === 0) return `${f} is missing or not a non-empty string`;
  }
  return undefined;
}

/**
 * Validates one record. Returns the typed record or a reason naming the offending field. A record
 * over the size or depth limit (see `limits.ts`) is refused here, before any rule walks its values.
 */
export function parseRecord(value: unknown): { ok: true; record: CloudTrailRecord } | { ok: false; reason: string } {
  const tooBig = recordBoundsProblem(value);
  if (tooBig !== undefined) return { ok: false, reason: tooBig };
  const res = cloudTrailRecordSchema.safeParse(value);
  if (res.success) return { ok: true, record: res.data };
  const issue = res.error.issues[0];
  const path = issue?.path.join(".") || "(record)";
  return { ok: false, reason: `${path}: ${issue?.message ?? "invalid"}` };
}

/** True when the call failed (CloudTrail sets `errorCode`, e.g. AccessDenied). */
export function isFailedCall(r: Pick<CloudTrailRecord, "errorCode">): boolean {
  return typeof r.errorCode === "string" && r.errorCode.length > 0;
}

/** Account the event belongs to: the recipient account, else the caller's account. */
export function accountOf(r: CloudTrailRecord): string {
  return r.recipientAccountId ?? r.userIdentity?.accountId ?? "unknown";
}

/** Request parameters as an object (never null). */
export function params(r: CloudTrailRecord): Record<string, unknown> {
  return (r.requestParameters ?? {}) as Record<string, unknown>;
}
