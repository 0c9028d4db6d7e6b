import { logKeyAccount } from "../aws/cloudtrail-keys";
import { accountOfRecord, type CloudTrailRecord } from "../record/schema";

/**
 * Pure checks that decide whether an event read from a log file may be acted on at all, before and
 * after it is compared with CloudTrail's own copy. Anyone who can write to the trail bucket can
 * write a file that looks like CloudTrail's, so nothing here trusts the file: these checks only
 * refuse; acting needs the authoritative copy (see `RemediationRunner`).
 */

/** Default of the age limit: an event older than this is never remediated. */
export const DEFAULT_MAX_EVENT_AGE_MINUTES = 60;
/** Bounds of the configurable age limit (the upper one stays well inside CloudTrail's 90-day event history and the 15-day idempotency window). */
export const MAX_EVENT_AGE_MINUTES_RANGE = { min: 5, max: 7 * 24 * 60 } as const;
/** How far in the future an event time may be (clock skew between AWS and this function). */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** Where a log file came from: the bucket and the key, as the notification named them. */
export interface LogObjectRef {
  bucket: string;
  key: string;
}

/** Why the event does not belong to the log object it was read from, or undefined when it does. */
export function accountSegmentProblem(r: CloudTrailRecord, source: LogObjectRef): string | undefined {
  const where = `s3://${plain(source.bucket, 63)}/${plain(source.key, 300)}`;
  const keyAccount = logKeyAccount(source.key);
  if (!keyAccount) return `the log object ${where} has no AWSLogs/<account>/ (or AWSLogs/<org-id>/<account>/) segment, so the event's account cannot be checked against it`;
  const account = accountOfRecord(r);
  if (account !== keyAccount) return `the event's account ${plain(account, 40)} is not the account ${keyAccount} of the log object ${where}`;
  return undefined;
}

/**
 * Why the event is too old (or dated in the future, or undated) to act on, or undefined when its
 * time is within `maxAgeMs` of `now`.
 */
export function eventAgeProblem(eventTime: string, now: Date, maxAgeMs: number): string | undefined {
  const t = Date.parse(eventTime);
  if (!Number.isFinite(t)) return `the event time ${shorten(JSON.stringify(eventTime), 60)} is not a date`;
  const age = now.getTime() - t;
  if (age < -FUTURE_SKEW_MS) return `the event time ${eventTime} is ${minutes(-age)} in the future`;
  if (age > maxAgeMs) return `the event is ${minutes(age)} old (at ${eventTime}); events older than ${minutes(maxAgeMs)} are never remediated`;
  return undefined;
}

/**
 * The facts of the log file's copy of an event that differ from CloudTrail's own copy (LookupEvents):
 * event id, source, name, time, region, account, the caller (ARN, access key, identity type) and
 * whether the call failed. Empty when they agree. What the remediation would change (the request
 * parameters it acts on) is compared by the caller through the remediation's plan.
 */
export function eventCopyDifferences(file: CloudTrailRecord, aws: CloudTrailRecord): string[] {
  const out: string[] = [];
  const same = (field: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${field}: the log file says ${show(a)}, CloudTrail says ${show(b)}`);
  };
  same("eventID", file.eventID ?? undefined, aws.eventID ?? undefined);
  same("eventSource", file.eventSource, aws.eventSource);
  same("eventName", file.eventName, aws.eventName);
  const ft = Date.parse(file.eventTime);
  const at = Date.parse(aws.eventTime);
  if (!(Number.isFinite(ft) && ft === at)) same("eventTime", file.eventTime, aws.eventTime);
  same("awsRegion", file.awsRegion, aws.awsRegion);
  same("account", accountOfRecord(file), accountOfRecord(aws));
  same("userIdentity.type", file.userIdentity?.type, aws.userIdentity?.type);
  same("userIdentity.arn", file.userIdentity?.arn, aws.userIdentity?.arn);
  same("userIdentity.accessKeyId", file.userIdentity?.accessKeyId, aws.userIdentity?.accessKeyId);
  same("errorCode", file.errorCode ?? undefined, aws.errorCode ?? undefined);
  return out;
}

/** A value for a message: JSON, at most 120 characters (record fields are attacker-chosen). */
function show(v: unknown): string {
  return v === undefined ? "nothing" : shorten(JSON.stringify(v), 120);
}

/** Control and bidi characters escaped (a key or a field may hold them), then shortened. */
function plain(s: string, max: number): string {
  return shorten(s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`), max);
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  if (m < 120) return `${Math.round(m)} min`;
  const h = m / 60;
  return h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} days`;
}
