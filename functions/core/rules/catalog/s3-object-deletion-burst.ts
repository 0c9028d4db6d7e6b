import { accountOfRecord, actor } from "../helpers";
import { rawActor, rawEventKey, rawObjectField } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal deleting many objects within minutes (S3 data events DeleteObject and DeleteObjects):
 * the destructive half of S3 ransomware (Stratus "s3-ransomware-batch-deletion" and
 * "s3-ransomware-individual-deletion"). Needs S3 data events for delete calls in the trail. Lifecycle
 * expirations are not API calls and never count.
 * Busy buckets log deletions all day, so the rule reads records raw and validates the one that alerts.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "s3.object-deletion-burst",
  title: "Mass deletion of S3 objects",
  severity: "high",
  description:
    "One principal deleted many S3 objects within a few minutes (requires S3 data events in the trail). Copying data out and then deleting it is how S3 ransomware works. Permanent deletions of object versions are also reported one by one by `s3.object-versions-deleted` (medium).",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["DeleteObject", "DeleteObjects"],
  count: "events",
  // What observeRaw reads (rawEventKey: the event id, else time, request id and name): a scan gives it these fields without parsing the record.
  rawFields: ["errorCode", "requestParameters", "userIdentity", "eventID", "requestID"],
  observeRaw: (raw) => {
    if (raw.errorCode !== undefined && raw.errorCode !== null) return undefined;
    const params = rawObjectField(raw.requestParameters);
    const a = rawActor(raw);
    if (!a) return undefined;
    return { group: a.key, value: rawEventKey(raw), label: `bucket ${typeof params.bucketName === "string" ? params.bucketName : "(unknown)"}` };
  },
  summary: (b) => `${actor(b.principal)} made ${b.count} object deletion calls ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  status: "experimental",
  falsePositives: ["Clean-up jobs that delete temporary objects in bulk (add their roles to `ignorePrincipals`, or raise `threshold`)."],
  runbook: {
    triage: [
      "Which buckets (context.values), and is versioning on? With versioning, deleted objects are recoverable from their previous versions.",
      "Did the principal read or copy the objects before deleting them (GetObject/CopyObject data events), and from where?",
    ],
    contain: [
      "If not expected: revoke the principal's session or keys, restore the objects from versions or backups, and turn on versioning with MFA delete or S3 Object Lock for critical buckets.",
    ],
  },
  references: {
    mitre: ["T1485"],
    stratus: ["aws.impact.s3-ransomware-batch-deletion", "aws.impact.s3-ransomware-individual-deletion"],
    panther: ["AWS.S3.DeleteObject"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html"],
  },
  settings: thresholdSettings({ threshold: 100, windowMinutes: 10, dedupMinutes: 60 }),
});
