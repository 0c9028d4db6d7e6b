import type { Day } from "./day";

/**
 * Where a trail writes its log files in its S3 bucket. A single-account trail writes
 * `[prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`; an organization trail adds the
 * organization id: `[prefix/]AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/`.
 */
export interface LogLayout {
  /** The trail's S3 key prefix (without `AWSLogs/`), if it has one. */
  prefix?: string;
  /** Set for an organization trail: `o-` followed by 10 to 32 lowercase letters or digits. */
  organizationId?: string;
}

/** Organization ids as AWS issues them. */
export const ORGANIZATION_ID_RE = /^o-[a-z0-9]{10,32}$/;

function normalizedPrefix(prefix: string | undefined): string {
  if (!prefix) return "";
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed ? `${trimmed}/` : "";
}

/** The key prefix (ending in `/`) under which a trail writes one account's logs of one region and day. */
export function dayLogPrefix(layout: LogLayout, account: string, region: string, day: Day): string {
  const org = layout.organizationId ? `${layout.organizationId}/` : "";
  return `${normalizedPrefix(layout.prefix)}AWSLogs/${org}${account}/CloudTrail/${region}/${day}/`;
}

/** The key prefix (ending in `/`) of everything the trail writes for the layout (used to scope IAM). */
export function layoutRootPrefix(layout: LogLayout): string {
  const org = layout.organizationId ? `${layout.organizationId}/` : "";
  return `${normalizedPrefix(layout.prefix)}AWSLogs/${org}`;
}
