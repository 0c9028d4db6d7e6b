import * as z from "../../../zod";
import type { Severity } from "../../../alert/alert";
import { SEVERITIES } from "../../../alert/alert";
import { isFailedCall, type CloudTrailRecord } from "../../../record/schema";
import { actor, dig, paramString, shortName } from "../../helpers";
import { TRAIL_TAMPERING_KIND } from "../../alert-kinds/trail-guard";
import { defineRule } from "../../rule";

/** What a call does to the trail, in words for both outcomes, and how bad it is when it succeeds. */
interface CallMeaning {
  /** "stop logging on" -> "X tried to stop logging on trail T". */
  verb: string;
  /** "stopped logging on" -> "X stopped logging on trail T". */
  past: string;
  severity: Severity;
}

const TRAIL_CALLS: Record<string, CallMeaning> = {
  StopLogging: { verb: "stop logging on", past: "stopped logging on", severity: "high" },
  DeleteTrail: { verb: "delete", past: "deleted", severity: "high" },
  UpdateTrail: { verb: "update", past: "updated", severity: "medium" },
  PutEventSelectors: { verb: "change the event selectors of", past: "changed the event selectors of", severity: "medium" },
  PutInsightSelectors: { verb: "change the Insights selectors of", past: "changed the Insights selectors of", severity: "medium" },
  CreateTrail: { verb: "create", past: "created", severity: "medium" },
  AddTags: { verb: "tag", past: "tagged", severity: "medium" },
  RemoveTags: { verb: "remove tags from", past: "removed tags from", severity: "medium" },
  // Not tampering, but a record of who turned a trail back on (the guard's own restarts are dropped earlier).
  StartLogging: { verb: "start logging on", past: "started logging on", severity: "info" },
};

const BUCKET_CALLS: Record<string, CallMeaning> = {
  PutBucketPolicy: { verb: "change the policy of", past: "changed the policy of", severity: "high" },
  DeleteBucketPolicy: { verb: "delete the policy of", past: "deleted the policy of", severity: "high" },
  PutBucketLifecycle: { verb: "set an expiry lifecycle on", past: "set a lifecycle configuration on", severity: "high" },
  PutBucketLifecycleConfiguration: { verb: "set an expiry lifecycle on", past: "set a lifecycle configuration on", severity: "high" },
  DeleteBucketLifecycle: { verb: "remove the lifecycle of", past: "removed the lifecycle of", severity: "medium" },
  PutBucketAcl: { verb: "change the ACL of", past: "changed the ACL of", severity: "high" },
  PutBucketVersioning: { verb: "change versioning of", past: "changed versioning of", severity: "medium" },
  DeleteBucket: { verb: "delete", past: "deleted", severity: "high" },
};

const KEY_CALLS: Record<string, CallMeaning> = {
  DisableKey: { verb: "disable", past: "disabled", severity: "high" },
  ScheduleKeyDeletion: { verb: "schedule deletion of", past: "scheduled deletion of", severity: "high" },
  PutKeyPolicy: { verb: "change the key policy of", past: "changed the key policy of", severity: "high" },
};

const ORGANIZATION_CALLS: Record<string, CallMeaning> = {
  LeaveOrganization: { verb: "take the account out of the Organization (and its organization trail)", past: "took the account out of the Organization (and its organization trail)", severity: "high" },
};

const BY_SOURCE: Record<string, { kind: "trail" | "bucket" | "key" | "organization"; calls: Record<string, CallMeaning> }> = {
  "cloudtrail.amazonaws.com": { kind: "trail", calls: TRAIL_CALLS },
  "s3.amazonaws.com": { kind: "bucket", calls: BUCKET_CALLS },
  "kms.amazonaws.com": { kind: "key", calls: KEY_CALLS },
  "organizations.amazonaws.com": { kind: "organization", calls: ORGANIZATION_CALLS },
};

/** Every (eventSource, eventName) the guard's EventBridge patterns can deliver (StartLogging included: someone else's restart). */
export function guardedCalls(): { eventSource: string; eventName: string }[] {
  return Object.entries(BY_SOURCE).flatMap(([eventSource, s]) => Object.keys(s.calls).map((eventName) => ({ eventSource, eventName })));
}

/**
 * Which bucket and key belong to the protected trails. Empty lists mean "not told": the EventBridge
 * patterns already narrow S3 and KMS events to the trail's bucket and key, so every such event that
 * reaches the guard counts.
 */
export interface TamperingSettings {
  buckets: string[];
  keys: string[];
}

const settingsSchema = z.object({ buckets: z.array(z.string()), keys: z.array(z.string()) });

/** Id of the trail guard's catch-all rule. */
export const TRAIL_TAMPERING_RULE_ID = "cloudtrail.trail-tampering";

function keyIdOf(v: string): string {
  // `arn:aws:kms:<region>:<acct>:key/<id>` or a bare key id.
  return v.includes(":key/") ? v.slice(v.lastIndexOf("/") + 1) : v;
}

function meaning(r: CloudTrailRecord): { kind: string; m: CallMeaning } | undefined {
  const src = BY_SOURCE[r.eventSource];
  const m = src?.calls[r.eventName];
  return src && m ? { kind: src.kind, m } : undefined;
}

function trailOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "name") ?? paramString(r, "trailName") ?? paramString(r, "resourceId");
}

function keyOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "keyId") ?? r.resources?.find((x) => x.ARN?.includes(":key/"))?.ARN;
}

function target(r: CloudTrailRecord): { type: string; name: string | undefined; words: string } {
  switch (BY_SOURCE[r.eventSource]?.kind) {
    case "trail": {
      const t = trailOf(r);
      return { type: "trail", name: t, words: `trail ${shortName(t) ?? "(unnamed)"}` };
    }
    case "bucket": {
      const b = paramString(r, "bucketName");
      return { type: "bucket", name: b, words: `trail bucket ${b ?? "(unnamed)"}` };
    }
    case "key": {
      const k = keyOf(r);
      return { type: "key", name: k, words: `trail key ${k ? keyIdOf(k) : "(unnamed)"}` };
    }
    default:
      return { type: "organization", name: undefined, words: "" };
  }
}

function lower(s: Severity): Severity {
  const i = SEVERITIES.indexOf(s);
  return i <= 1 ? s : SEVERITIES[i - 1]!;
}

/**
 * The trail guard's catch-all: any call on a trail, the trail bucket or the trail key, or an account
 * leaving the Organization, that no catalog rule reported. It makes sure nothing done to the trail
 * goes unreported (creating a decoy trail, retagging it, a lifecycle rule that expires the logs, a
 * disabled key, and failed attempts of all of these). Failed calls are reported as attempts, one
 * severity step lower.
 *
 * Defined in the catalog's layout but not registered in `catalog/index.ts`: it judges a call by the
 * guard's knowledge that the bucket or key is the trail's (the EventBridge patterns narrow them, the
 * settings name them). In the log analyzer, without that, every bucket policy, ACL, lifecycle or key
 * change in the Organization would raise it, so only the trail guard runs it, as a fallback.
 */
export const trailTamperingRule = defineRule<TamperingSettings>({
  id: TRAIL_TAMPERING_RULE_ID,
  title: "Change to a CloudTrail trail, its bucket or its key",
  severity: "medium",
  description:
    "A call changed (or tried to change) a CloudTrail trail, the S3 bucket its logs go to, the KMS key that encrypts them, or the account's Organization membership, and no more specific rule reported it.",
  eventSources: Object.keys(BY_SOURCE),
  eventNames: [...new Set(Object.values(BY_SOURCE).flatMap((s) => Object.keys(s.calls)))],
  includeFailedCalls: true,
  match: (r, { settings }) => {
    const found = meaning(r);
    if (!found) return false;
    if (r.readOnly === true || r.readOnly === "true") return false;
    if (found.kind === "bucket" && settings.buckets.length > 0) return settings.buckets.includes(paramString(r, "bucketName") ?? "");
    if (found.kind === "key" && settings.keys.length > 0) {
      const k = keyOf(r);
      return k !== undefined && settings.keys.some((x) => keyIdOf(x) === keyIdOf(k));
    }
    return true;
  },
  severityFor: (r) => {
    const s = meaning(r)?.m.severity ?? "medium";
    return isFailedCall(r) ? lower(s) : s;
  },
  summary: (r, { principal }) => {
    const m = meaning(r)!.m;
    const t = target(r).words;
    const object = t ? ` ${t}` : "";
    if (isFailedCall(r)) return `${actor(principal)} tried to ${m.verb}${object}, but the call failed (${r.errorCode})`;
    return `${actor(principal)} ${m.past}${object}`;
  },
  context: (r) => {
    const t = target(r);
    return {
      ...(t.name ? { [t.type]: t.name } : {}),
      outcome: isFailedCall(r) ? "attempt failed: nothing changed" : "succeeded",
      ...(r.eventName === "PutBucketPolicy" || r.eventName === "PutKeyPolicy" ? { policy: dig(r.requestParameters, "bucketPolicy") ?? dig(r.requestParameters, "policy") } : {}),
    };
  },
  // Described with the alerts raised outside the catalog (`trailwatch rules` lists it there).
  status: TRAIL_TAMPERING_KIND.status,
  falsePositives: TRAIL_TAMPERING_KIND.falsePositives,
  runbook: TRAIL_TAMPERING_KIND.runbook,
  references: { mitre: ["T1562.008"], stratus: ["aws.defense-evasion.cloudtrail-stop", "aws.defense-evasion.cloudtrail-delete", "aws.defense-evasion.cloudtrail-lifecycle-rule"] },
  settings: { schema: settingsSchema as unknown as z.core.$ZodType<TamperingSettings>, defaults: { buckets: [], keys: [] } },
});

export default trailTamperingRule;
