import { parseKeyArn } from "./config";

/** Every API call CloudTrail reports to EventBridge has this detail-type. */
export const API_CALL_DETAIL_TYPE = "AWS API Call via CloudTrail";

/**
 * Calls that change or switch off a trail. `StartLogging` is left out on purpose: the trail guard's
 * own remediation calls it, and matching it would send a second alert for every restart. `CreateTrail` is in: a new trail may be a decoy that replaces a watched one.
 */
export const TRAIL_EVENT_NAMES = [
  "StopLogging",
  "DeleteTrail",
  "UpdateTrail",
  "PutEventSelectors",
  "PutInsightSelectors",
  "CreateTrail",
  "AddTags",
  "RemoveTags",
] as const;

/**
 * Calls on the trail's bucket that can stop, expose, expire or make erasable the log files without
 * touching the trail (a policy that locks CloudTrail out, a one-day expiry, a public ACL, suspended
 * versioning). CloudTrail records PutBucketLifecycleConfiguration as PutBucketLifecycle; both are listed.
 */
export const BUCKET_EVENT_NAMES = [
  "PutBucketPolicy",
  "DeleteBucketPolicy",
  "PutBucketLifecycle",
  "PutBucketLifecycleConfiguration",
  "DeleteBucketLifecycle",
  "PutBucketAcl",
  "PutBucketVersioning",
  "DeleteBucket",
] as const;

/**
 * Calls on the trail's KMS key that make new log files impossible to write or old ones unreadable
 * (a key policy without CloudTrail's grant stops delivery just as DisableKey does).
 */
export const KEY_EVENT_NAMES = ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"] as const;

/** An account that leaves the Organization leaves the organization trail with it. */
export const ORGANIZATION_EVENT_NAMES = ["LeaveOrganization"] as const;

/** One EventBridge rule's purpose and pattern. */
export interface GuardPattern {
  /** Short id used in resource names: `trail`, `bucket`, `key`, `organization`. */
  id: "trail" | "bucket" | "key" | "organization";
  description: string;
  pattern: Record<string, unknown>;
}

function apiCall(source: string, eventSource: string, eventNames: readonly string[], extra: Record<string, unknown> = {}) {
  return {
    source: [source],
    "detail-type": [API_CALL_DETAIL_TYPE],
    detail: { eventSource: [eventSource], eventName: [...eventNames], ...extra },
  };
}

/**
 * The event patterns the trail guard watches, for a given trail bucket and key. The same patterns are
 * used in the home region (target: the trail-guard function) and in every other watched region
 * (target: the home region's default event bus).
 */
export function guardPatterns(opts: { trailBucketName?: string; trailKmsKeyArn?: string }): GuardPattern[] {
  const patterns: GuardPattern[] = [
    {
      id: "trail",
      description: "CloudTrail trails stopped, deleted or changed",
      pattern: apiCall("aws.cloudtrail", "cloudtrail.amazonaws.com", TRAIL_EVENT_NAMES),
    },
    {
      id: "organization",
      description: "An account leaving the Organization (and its organization trail)",
      pattern: apiCall("aws.organizations", "organizations.amazonaws.com", ORGANIZATION_EVENT_NAMES),
    },
  ];
  if (opts.trailBucketName) {
    patterns.push({
      id: "bucket",
      description: `Policy, lifecycle or deletion of the trail bucket ${opts.trailBucketName}`,
      pattern: apiCall("aws.s3", "s3.amazonaws.com", BUCKET_EVENT_NAMES, {
        requestParameters: { bucketName: [opts.trailBucketName] },
      }),
    });
  }
  if (opts.trailKmsKeyArn) {
    // These calls take a key id or a key ARN (never an alias): match both.
    const { keyId } = parseKeyArn(opts.trailKmsKeyArn);
    patterns.push({
      id: "key",
      description: "The trail's KMS key disabled, scheduled for deletion or given a new key policy",
      pattern: apiCall("aws.kms", "kms.amazonaws.com", KEY_EVENT_NAMES, {
        requestParameters: { keyId: [opts.trailKmsKeyArn, keyId] },
      }),
    });
  }
  return patterns;
}
