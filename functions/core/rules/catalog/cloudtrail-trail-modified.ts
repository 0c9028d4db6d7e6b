import type { Severity } from "../../alert/alert";
import { severityRank } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { params } from "../../record/schema";
import { defineRule } from "../rule";
import { actor, asBool, asList, dig, shortName, stringList, trailArnOf } from "../helpers";

/** One way a call reduced what a trail records, with how bad that is. */
interface Reduction {
  change: string;
  severity: Severity;
}

function updateTrailReductions(p: Record<string, unknown>): Reduction[] {
  const out: Reduction[] = [];
  const meaningful = Object.keys(p).filter((k) => k !== "name" && k !== "trailName");
  if (meaningful.length === 0) {
    // An UpdateTrail whose parameters were not recorded cannot be judged; say so rather than drop it.
    return [{ change: "UpdateTrail with no recorded parameters: what changed cannot be told from the event", severity: "low" }];
  }
  if (asBool(p.isMultiRegionTrail) === false)
    out.push({ change: "multi-region logging turned off: only the trail's home region is logged now", severity: "high" });
  if (asBool(p.includeGlobalServiceEvents) === false)
    out.push({ change: "global service events (IAM, STS, CloudFront, ...) are no longer logged", severity: "high" });
  if (asBool(p.isOrganizationTrail) === false)
    out.push({ change: "organization trail turned into a single-account trail: member accounts are no longer logged", severity: "high" });
  if (asBool(p.enableLogFileValidation) === false)
    out.push({ change: "log file integrity validation turned off: tampering with delivered logs can no longer be proven", severity: "medium" });
  if (typeof p.s3BucketName === "string" && p.s3BucketName)
    out.push({ change: `log files are now delivered to bucket ${p.s3BucketName}${typeof p.s3KeyPrefix === "string" && p.s3KeyPrefix ? ` (prefix ${p.s3KeyPrefix})` : ""}; check it is the expected, protected bucket`, severity: "medium" });
  else if (typeof p.s3KeyPrefix === "string")
    out.push({ change: `log file prefix changed to "${p.s3KeyPrefix}": readers of the old prefix stop seeing new logs`, severity: "low" });
  if (p.cloudWatchLogsLogGroupArn === "")
    out.push({ change: "delivery to CloudWatch Logs removed: metric filters and alarms on this trail stop", severity: "medium" });
  if (p.kmsKeyId === "")
    out.push({ change: "SSE-KMS encryption of log files removed", severity: "low" });
  return out;
}

function basicSelectorReductions(selectors: unknown[]): Reduction[] {
  if (selectors.length === 0) return [{ change: "all event selectors removed: the trail logs no events", severity: "high" }];
  const mgmt = selectors.filter((s) => asBool(dig(s, "includeManagementEvents")) !== false);
  if (mgmt.length === 0)
    return [{ change: "management events excluded (includeManagementEvents=false in every selector)", severity: "high" }];
  const out: Reduction[] = [];
  const rw = new Set(mgmt.map((s) => String(dig(s, "readWriteType") ?? "All")));
  if (!rw.has("All") && !(rw.has("ReadOnly") && rw.has("WriteOnly"))) {
    if (rw.has("ReadOnly")) out.push({ change: "only read-only management events are logged: write calls are no longer recorded", severity: "high" });
    else out.push({ change: "only write management events are logged: read calls (reconnaissance) are no longer recorded", severity: "medium" });
  }
  const excluded = [...new Set(mgmt.flatMap((s) => stringList(dig(s, "excludeManagementEventSources"))))];
  if (excluded.length) out.push({ change: `management events of ${excluded.join(", ")} excluded`, severity: "medium" });
  return out;
}

function fieldSelector(sel: unknown, field: string): Record<string, unknown> | undefined {
  return asList(dig(sel, "fieldSelectors")).find((f) => dig(f, "field") === field) as Record<string, unknown> | undefined;
}

function advancedSelectorReductions(selectors: unknown[]): Reduction[] {
  if (selectors.length === 0) return [{ change: "all advanced event selectors removed: the trail logs no events", severity: "high" }];
  const mgmt = selectors.filter((s) => stringList(fieldSelector(s, "eventCategory")?.equals).includes("Management"));
  if (mgmt.length === 0)
    return [{ change: "management events excluded: no advanced selector has eventCategory = Management", severity: "high" }];
  const out: Reduction[] = [];
  const everyRead = mgmt.every((s) => stringList(fieldSelector(s, "readOnly")?.equals).includes("true"));
  const everyWrite = mgmt.every((s) => stringList(fieldSelector(s, "readOnly")?.equals).includes("false"));
  if (everyRead) out.push({ change: "only read-only management events are logged: write calls are no longer recorded", severity: "high" });
  else if (everyWrite) out.push({ change: "only write management events are logged: read calls (reconnaissance) are no longer recorded", severity: "medium" });
  for (const s of mgmt) {
    const src = fieldSelector(s, "eventSource");
    const only = stringList(src?.equals);
    const not = stringList(src?.notEquals);
    if (only.length) out.push({ change: `management events are logged only for ${only.join(", ")}`, severity: "high" });
    if (not.length) out.push({ change: `management events of ${not.join(", ")} excluded`, severity: "medium" });
  }
  return out;
}

/** Every way this call reduces what the trail records, worst first; empty when it does not. */
export function trailReductions(r: CloudTrailRecord): Reduction[] {
  return reductionsOf(r).sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

function reductionsOf(r: CloudTrailRecord): Reduction[] {
  const p = params(r);
  switch (r.eventName) {
    case "UpdateTrail":
      return updateTrailReductions(p);
    case "PutEventSelectors":
      if (p.advancedEventSelectors !== undefined) return advancedSelectorReductions(asList(p.advancedEventSelectors));
      if (p.eventSelectors !== undefined) return basicSelectorReductions(asList(p.eventSelectors));
      return [];
    case "PutInsightSelectors":
      return asList(p.insightSelectors).length === 0 ? [{ change: "CloudTrail Insights turned off for the trail", severity: "low" }] : [];
    default:
      return [];
  }
}

function worst(list: Reduction[]): Severity {
  return list.reduce<Severity>((w, x) => (severityRank(x.severity) > severityRank(w) ? x.severity : w), "info");
}

/**
 * UpdateTrail / PutEventSelectors / PutInsightSelectors that reduce what a trail records. Changes that
 * add logging (more selectors, data events, Insights on) are not reported.
 */
export default defineRule({
  id: "cloudtrail.trail-modified",
  title: "CloudTrail trail changed to log less",
  severity: "high",
  description:
    "A trail was changed so that it records less: management events or write events excluded, multi-region or global-service logging off, an organization trail narrowed to one account, log validation or CloudWatch delivery removed, or logs sent to another bucket. The alert lists each change; its severity is the worst of them.",
  eventSources: ["cloudtrail.amazonaws.com"],
  eventNames: ["UpdateTrail", "PutEventSelectors", "PutInsightSelectors"],
  match: (r) => trailReductions(r).length > 0,
  severityFor: (r) => worst(trailReductions(r)),
  summary: (r, { principal }) => {
    const changes = trailReductions(r);
    return `${actor(principal)} changed trail ${shortName(trailArnOf(r)) ?? "(unnamed)"} with ${r.eventName} so it logs less: ${changes[0]?.change}${changes.length > 1 ? ` (+${changes.length - 1} more)` : ""}`;
  },
  context: (r) => ({ trail: shortName(trailArnOf(r)), trailArn: trailArnOf(r), changes: trailReductions(r).map((c) => `${c.severity}: ${c.change}`) }),
  status: "stable",
  falsePositives: [
    "Cost reduction changes (dropping data events, read events) agreed with the security team.",
    "Moving log delivery to a new central bucket during a logging redesign.",
  ],
  runbook: {
    triage: [
      "Read `context.changes`: which property changed from what to what? Management events excluded or a new bucket are the serious ones.",
      "Who changed it and was there a change request?",
    ],
    contain: [
      "Restore the trail's configuration from infrastructure code (`aws cloudtrail update-trail` / `put-event-selectors`).",
      "Deny trail changes outside the pipeline that owns them with a service control policy.",
    ],
  },
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-event-selectors"],
    panther: ["AWS.CloudTrail.EventSelectorsDisabled"],
    sigma: ["AWS CloudTrail Important Change"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html"],
  },
});
