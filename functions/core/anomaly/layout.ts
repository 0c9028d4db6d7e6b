/**
 * Where CloudTrail writes log files, for the two layouts a trail can have:
 *
 * - single account: `<prefix>AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`
 * - organization trail: `<prefix>AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`
 *
 * Every value that ends up in a path or a query is checked here first, so a bad account id or
 * region from a message is refused with a reason instead of reaching SQL or S3.
 */

export type LogLayout = { kind: "account" } | { kind: "organization"; organizationId: string };

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** S3 key prefix before `AWSLogs/`: empty, or path segments each ending in `/`. */
export const KEY_PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Throws a RangeError naming `what` unless `value` matches `re`. */
export function requireMatch(what: string, value: string, re: RegExp): string {
  if (typeof value !== "string" || !re.test(value)) throw new RangeError(`${what} is not valid (got ${JSON.stringify(value)}; expected ${re.source})`);
  return value;
}

/** The folder that holds one account's CloudTrail logs, relative to the bucket (or local root). */
export function accountLogPrefix(layout: LogLayout, account: string, keyPrefix = ""): string {
  requireMatch("account id", account, ACCOUNT_ID);
  requireMatch("key prefix", keyPrefix, KEY_PREFIX);
  if (layout.kind === "organization") {
    requireMatch("organization id", layout.organizationId, ORGANIZATION_ID);
    return `${keyPrefix}AWSLogs/${layout.organizationId}/${account}/CloudTrail/`;
  }
  return `${keyPrefix}AWSLogs/${account}/CloudTrail/`;
}

/** `YYYY/MM/DD` of a UTC instant: CloudTrail's date folder. */
export function dayFolder(t: Date): string {
  return t.toISOString().slice(0, 10).replace(/-/g, "/");
}

/** `YYYYMMDDTHHmmZ` of a UTC instant: the delivery stamp in CloudTrail file names. */
export function fileStamp(t: Date): string {
  const s = t.toISOString();
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}T${s.slice(11, 13)}${s.slice(14, 16)}Z`;
}

/** What a CloudTrail log file path says about itself, or undefined for any other file. */
export interface LogFileName {
  account: string;
  region: string;
  day: string;
  stamp: string;
}

const FILE = /(?:^|\/)CloudTrail\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{12})_CloudTrail_([^_/]+)_(\d{8}T\d{4}Z)_[^/]+$/;

/** Parses the account, region, day folder and delivery stamp out of a log file path. */
export function parseLogFileName(path: string): LogFileName | undefined {
  const m = FILE.exec(path.replace(/\\/g, "/"));
  if (!m || m[1] !== m[6]) return undefined;
  return { region: m[1]!, day: `${m[2]}/${m[3]}/${m[4]}`, account: m[5]!, stamp: m[7]! };
}
