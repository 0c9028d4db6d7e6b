import { ACCOUNT_ID, ORGANIZATION_ID, REGION, requireMatch } from "./identifiers";

/**
 * Where CloudTrail writes in its S3 bucket, for the two layouts a trail can have:
 *
 * - single account: `<prefix>AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`
 * - organization trail: `<prefix>AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`
 *
 * and the digest files beside the logs (`CloudTrail-Digest/` in place of `CloudTrail/`). The one
 * place that builds and reads these keys: adapters, handlers, the CLI and the Terraform modules (IAM
 * resource prefixes, Glue locations) all call it. Every value that ends up in a key is checked here
 * first, so a bad account id or region from a message is refused with a reason instead of reaching
 * SQL, S3 or a policy.
 */

/** The layout of a trail's keys (the deployment config's `layout` section has this shape). */
export type LogLayout = { type: "account" } | { type: "organization"; organizationId: string };

/** The folder under an account: log files or digest files. */
export type KeyKind = "logs" | "digests";

/** The layout of an organization trail for `organizationId`, else of a single-account trail. */
export function layoutOf(organizationId: string | undefined): LogLayout {
  return organizationId ? { type: "organization", organizationId } : { type: "account" };
}

/** S3 key prefix before `AWSLogs/`: empty, or path segments each ending in `/` (strict: safe in SQL and paths). */
export const KEY_PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;

/** A trail's `S3KeyPrefix` as written (`logs`, `/logs/`, `a/b/`) in the form put before `AWSLogs/`: empty, or ending in one `/`. */
export function normalizeKeyPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  return trimmed ? `${trimmed}/` : "";
}

/** `<keyPrefix>AWSLogs/`: the folder CloudTrail writes under (the trail's key prefix, if any, before it). */
export function awsLogsFolder(keyPrefix = ""): string {
  if (keyPrefix !== "" && !keyPrefix.endsWith("/")) throw new RangeError(`key prefix ${JSON.stringify(keyPrefix)} must be empty or end in "/"`);
  return `${keyPrefix}AWSLogs/`;
}

/** One account's folder under an `AWSLogs/` folder (as found in a listing, or from `awsLogsFolder`). */
export interface AccountFolder {
  /** The `.../AWSLogs/` folder. */
  root: string;
  organizationId?: string;
  account: string;
}

/** `<root>[<org-id>/]<account>/CloudTrail/` (or `CloudTrail-Digest/` for digests). */
export function accountFolder(a: AccountFolder, kind: KeyKind = "logs"): string {
  if (!ACCOUNT_ID.test(a.account)) throw new RangeError(`account id ${JSON.stringify(a.account)} is not 12 digits`);
  if (a.organizationId !== undefined && !ORGANIZATION_ID.test(a.organizationId)) throw new RangeError(`organization id ${JSON.stringify(a.organizationId)} is not valid`);
  return `${a.root}${a.organizationId ? `${a.organizationId}/` : ""}${a.account}/${kind === "logs" ? "CloudTrail" : "CloudTrail-Digest"}/`;
}

/** `<keyPrefix>AWSLogs/` or `<keyPrefix>AWSLogs/<org-id>/`: the folder that holds every account's folder (IAM and Glue scope). */
export function logsRoot(layout: LogLayout, keyPrefix = ""): string {
  const root = awsLogsFolder(keyPrefix);
  if (layout.type === "account") return root;
  requireMatch("organization id", layout.organizationId, ORGANIZATION_ID);
  return `${root}${layout.organizationId}/`;
}

/** The folder that holds one account's CloudTrail logs (or digests), relative to the bucket (or local root). */
export function accountLogPrefix(layout: LogLayout, account: string, keyPrefix = "", kind: KeyKind = "logs"): string {
  const organizationId = layout.type === "organization" ? layout.organizationId : undefined;
  return accountFolder({ root: awsLogsFolder(keyPrefix), account, ...(organizationId !== undefined ? { organizationId } : {}) }, kind);
}

/** `<account folder><region>/YYYY/MM/DD/`: the folder of one account's files of one region and day. */
export function dayFolderPrefix(accountPrefix: string, region: string, day: string): string {
  if (!REGION.test(region)) throw new RangeError(`region ${JSON.stringify(region)} is not a region name`);
  if (!/^\d{4}\/\d{2}\/\d{2}$/.test(day)) throw new RangeError(`day ${JSON.stringify(day)} is not YYYY/MM/DD`);
  return `${accountPrefix}${region}/${day}/`;
}

/** The key prefix (ending in `/`) under which a trail writes one account's logs of one region and day (`YYYY/MM/DD`). */
export function dayLogPrefix(layout: LogLayout, account: string, region: string, day: string, keyPrefix = ""): string {
  return dayFolderPrefix(accountLogPrefix(layout, account, keyPrefix), region, day);
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

/** The part of a key from its last `AWSLogs/` segment on: how local copies are matched to the keys a digest names. */
export function awsLogsRelative(k: string): string | undefined {
  const p = k.replace(/\\/g, "/");
  const i = p.lastIndexOf("/AWSLogs/");
  if (i >= 0) return p.slice(i + 1);
  return p.startsWith("AWSLogs/") ? p : undefined;
}

/** What a key from `AWSLogs/` on says: whose folder it is in and of which kind. */
export interface AwsLogsKey {
  organizationId?: string;
  account: string;
  kind: KeyKind;
  region: string;
  /** What follows the region folder (`YYYY/MM/DD/<file>`). */
  rest: string;
}

const AWS_LOGS_KEY = /^AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/(CloudTrail|CloudTrail-Digest)\/([a-z0-9-]+)\/(.+)$/;

/** Reads a key relative to `AWSLogs/` (see `awsLogsRelative`); undefined when it is not a log or digest key. */
export function parseAwsLogsKey(rel: string): AwsLogsKey | undefined {
  const m = AWS_LOGS_KEY.exec(rel);
  if (!m) return undefined;
  return { ...(m[1] ? { organizationId: m[1] } : {}), account: m[2]!, kind: m[3] === "CloudTrail" ? "logs" : "digests", region: m[4]!, rest: m[5]! };
}

// `[<prefix>/]AWSLogs/[<org-id>/]<account>/CloudTrail[-Digest|-Insight]/...`; the last match wins, so a
// key prefix that itself looks like a log path cannot stand in for the real account segment.
const ACCOUNT_SEGMENT = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(\d{12})\/CloudTrail(?:-[A-Za-z]+)?\//g;

/**
 * The account segment of a CloudTrail log key, for both layouts: `AWSLogs/<account>/...` and the
 * organization trail's `AWSLogs/<org-id>/<account>/...`. Undefined when the key has neither.
 */
export function logKeyAccount(key: string): string | undefined {
  let account: string | undefined;
  for (const m of key.matchAll(ACCOUNT_SEGMENT)) account = m[1];
  return account;
}
