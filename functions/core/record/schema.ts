import * as z from "../zod";
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
const nullableRecord = z.nullish(z.record(z.string(), z.unknown()));

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
const jsonObjectField = z.pipe(z.transform(objectFromJsonText), nullableRecord);

export const sessionIssuerSchema = z.looseObject({
  type: z.optional(z.string()),
  principalId: z.optional(z.string()),
  arn: z.optional(z.string()),
  accountId: z.optional(z.string()),
  userName: z.optional(z.string()),
});

export const userIdentitySchema = z.looseObject({
  type: z.optional(z.string()),
  principalId: z.optional(z.string()),
  arn: z.optional(z.string()),
  accountId: z.optional(z.string()),
  accessKeyId: z.optional(z.string()),
  userName: z.optional(z.string()),
  invokedBy: z.nullish(z.string()),
  identityProvider: z.optional(z.string()),
  credentialId: z.optional(z.string()),
  sessionContext: z.nullish(
    z.looseObject({
      sessionIssuer: z.nullish(sessionIssuerSchema),
      attributes: z.nullish(
        z.looseObject({
          mfaAuthenticated: z.optional(z.union([z.string(), z.boolean()])),
          creationDate: z.optional(z.string()),
        }),
      ),
      webIdFederationData: z.nullish(z.looseObject({ federatedProvider: z.optional(z.string()) })),
      sourceIdentity: z.optional(z.string()),
    }),
  ),
  onBehalfOf: z.nullish(z.looseObject({ userId: z.optional(z.string()), identityStoreArn: z.optional(z.string()) })),
});

const nonEmpty = (field: string) =>
  z.string({ error: `${field} is missing or not a string` }).check(z.minLength(1, `${field} is empty`));

export const cloudTrailRecordSchema = z.looseObject({
  eventVersion: z.optional(z.string()),
  eventTime: nonEmpty("eventTime"),
  eventSource: nonEmpty("eventSource"),
  eventName: nonEmpty("eventName"),
  awsRegion: z.optional(z.string()),
  sourceIPAddress: z.nullish(z.string()),
  userAgent: z.nullish(z.string()),
  userIdentity: z.nullish(userIdentitySchema),
  errorCode: z.nullish(z.string()),
  errorMessage: z.nullish(z.string()),
  requestParameters: jsonObjectField,
  responseElements: z.optional(z.unknown()),
  additionalEventData: jsonObjectField,
  requestID: z.nullish(z.string()),
  eventID: z.nullish(z.string()),
  eventType: z.nullish(z.string()),
  readOnly: z.nullish(z.union([z.boolean(), z.string()])),
  recipientAccountId: z.nullish(z.string()),
  resources: z.nullish(z.array(z.looseObject({ ARN: z.optional(z.string()), type: z.optional(z.string()) }))),
  sharedEventID: z.nullish(z.string()),
  vpcEndpointId: z.nullish(z.string()),
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
export function accountOfRecord(r: CloudTrailRecord): string {
  return r.recipientAccountId ?? r.userIdentity?.accountId ?? "unknown";
}

/** Request parameters as an object (never null). */
export function params(r: CloudTrailRecord): Record<string, unknown> {
  return (r.requestParameters ?? {});
}
