import { ACCOUNT_ID, BUCKET_NAME, ORGANIZATION_ID, REGION } from "../aws/identifiers";
import { daysOf, type TimeWindow } from "./time-window";

/**
 * Which S3 key prefixes hold a time window's CloudTrail files, in both layouts a trail writes:
 *
 * - single account: `[prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`
 * - organization trail: `[prefix/]AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/`
 *
 * and the digest files beside them (`CloudTrail-Digest/` in place of `CloudTrail/`). Pure: the S3
 * adapter lists, this module decides what to list and what a listed name means. Every name that
 * came from a listing is checked against the layout's patterns before it is put into a prefix.
 */

/** Thrown for an S3 URI or a place in it that trailwatch cannot read; the message says what to give instead. */
export class S3LocationError extends Error {
  override name = "S3LocationError";
}

/** A bucket and a key prefix (empty, or ending in `/`). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** S3 keys are at most 1,024 bytes; a prefix longer than that cannot match anything. */
const MAX_KEY_BYTES = 1024;

/** True for `s3://...` arguments. */
export function isS3Uri(s: string): boolean {
  return /^s3:\/\//i.test(s);
}

/** Reads `s3://bucket[/prefix]`; the prefix is taken as a folder (a `/` is added when missing). */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(uri.trim());
  if (!m) throw new S3LocationError(`${JSON.stringify(uri)} is not an S3 URI (expected s3://bucket/prefix/)`);
  const bucket = m[1]!;
  if (!BUCKET_NAME.test(bucket) || bucket.includes("..")) throw new S3LocationError(`${JSON.stringify(bucket)} in ${uri} is not an S3 bucket name`);
  let prefix = (m[2] ?? "").replace(/^\/+/, "");
  if (prefix && !prefix.endsWith("/")) prefix += "/";
  if (/(^|\/)\.{1,2}\//.test(prefix) || prefix.includes("//")) throw new S3LocationError(`the key prefix of ${uri} has an empty, "." or ".." folder`);
  if (Buffer.byteLength(prefix) > MAX_KEY_BYTES) throw new S3LocationError(`the key prefix of ${uri} is longer than an S3 key can be`);
  return { bucket, prefix };
}

/** Where in the CloudTrail layout a given prefix points: the `AWSLogs/` folder and what it already fixes. */
export interface LayoutPosition {
  /** The `.../AWSLogs/` folder (the trail's own key prefix, if any, before it). */
  root: string;
  organizationId?: string;
  account?: string;
  region?: string;
}

/**
 * Reads how far down the layout a user's prefix goes: the trail's key prefix (then `AWSLogs/` is
 * added), `AWSLogs/`, an organization, an account, its `CloudTrail/` folder or one region. Day
 * folders are chosen with `--from`/`--to`, so a prefix below the region is refused with that advice.
 */
export function layoutPosition(prefix: string): LayoutPosition {
  const segments = prefix.split("/").filter(Boolean);
  const at = segments.lastIndexOf("AWSLogs");
  if (at < 0) return { root: `${prefix}AWSLogs/` };
  const root = segments.slice(0, at + 1).join("/") + "/";
  const rest = segments.slice(at + 1);
  const pos: LayoutPosition = { root };
  let i = 0;
  if (rest[i] !== undefined && ORGANIZATION_ID.test(rest[i]!)) pos.organizationId = rest[i++];
  if (rest[i] !== undefined) {
    if (!ACCOUNT_ID.test(rest[i]!)) throw new S3LocationError(`"${rest[i]}" in ${prefix} is neither a 12-digit account id nor an organization id (o-...)`);
    pos.account = rest[i++];
  }
  if (rest[i] !== undefined) {
    if (rest[i] !== "CloudTrail") throw new S3LocationError(`expected CloudTrail/ after the account in ${prefix} (got "${rest[i]}")`);
    i++;
  }
  if (rest[i] !== undefined) {
    if (!REGION.test(rest[i]!)) throw new S3LocationError(`"${rest[i]}" in ${prefix} is not a region name`);
    pos.region = rest[i++];
  }
  if (rest[i] !== undefined) throw new S3LocationError(`${prefix} goes below the region folder; give the region (or a folder above it) and choose days with --from/--to`);
  return pos;
}

/** What a folder name found under `AWSLogs/` (or an organization folder) is. */
export function classifyFolder(name: string): "account" | "organization" | "other" {
  if (ACCOUNT_ID.test(name)) return "account";
  if (ORGANIZATION_ID.test(name)) return "organization";
  return "other";
}

/** True for a folder name that is a region. */
export function isRegionFolder(name: string): boolean {
  return REGION.test(name);
}

/** The last path segment of a common prefix (`a/b/c/` -> `c`). */
export function folderName(commonPrefix: string): string {
  const parts = commonPrefix.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? "";
}

/**
 * How late a log file may be delivered after its last event and still be read: CloudTrail
 * delivers within about 5 minutes on average, not guaranteed; an hour is what `aws cloudtrail
 * validate-logs` allows for files that spill into the next digest.
 */
export const DELIVERY_LATENESS_MS = 3_600_000;

/** The days to list for a window: from the window's first day to the day of its end plus the lateness. */
export function listingDays(w: TimeWindow, latenessMs = DELIVERY_LATENESS_MS): string[] {
  return daysOf({ from: w.from, to: new Date(w.to.getTime() + latenessMs) });
}

const LOG_STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*$/;
const DIGEST_STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:_backfill)?\.json\.gz$/;

/** The delivery time in a CloudTrail log file name (`..._20261120T1005Z_<id>.json.gz`), if it has one. */
export function logFileTime(key: string): Date | undefined {
  const m = LOG_STAMP.exec(key);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!)) : undefined;
}

/** The end time in a digest file name (`..._20261120T100131Z.json.gz`), if it has one. */
export function digestFileTime(key: string): Date | undefined {
  const m = DIGEST_STAMP.exec(key);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/**
 * Whether a listed log file can hold events of the window: its delivery stamp is at or after the
 * window's start (events precede their delivery) and at most `latenessMs` after its end. A name
 * without a stamp is kept: its records are filtered by their own times.
 */
export function logFileMayHoldWindow(key: string, w: TimeWindow, latenessMs = DELIVERY_LATENESS_MS): boolean {
  const t = logFileTime(key);
  if (!t) return true;
  // The stamp has minute precision: a file stamped in the window's first minute may hold its first events.
  return t.getTime() >= w.from.getTime() - 60_000 && t.getTime() <= w.to.getTime() + latenessMs;
}
