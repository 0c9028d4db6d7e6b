import { accountOfRecord, actor } from "../helpers";
import { rawActor, rawEventKey, rawObjectField } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal rewriting many objects with a customer-provided key (SSE-C) within minutes: copying
 * objects onto themselves encrypted with a key only the attacker holds makes them unreadable to the
 * owner (Stratus "s3-ransomware-client-side-encryption"). Needs S3 data events in the trail.
 * PutObject is the busiest data event, so the rule reads records raw and validates the one that alerts.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "s3.client-side-encryption-burst",
  title: "Many objects re-encrypted with a customer-provided key",
  severity: "high",
  description:
    "One principal wrote or copied many S3 objects with server-side encryption with a customer-provided key (SSE-C) within a few minutes (requires S3 data events). Objects encrypted with a key the owner does not hold are lost to the owner: S3 ransomware. Copies under SSE-C or another account's KMS key are also reported one by one by `s3.objects-reencrypted`.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["CopyObject", "PutObject"],
  count: "events",
  // What observeRaw reads (rawEventKey: the event id, else time, request id and name): a scan gives it these fields without parsing the record.
  rawFields: ["errorCode", "requestParameters", "userIdentity", "eventID", "requestID"],
  observeRaw: (raw) => {
    if (raw.errorCode !== undefined && raw.errorCode !== null) return undefined;
    const params = rawObjectField(raw.requestParameters);
    if (params["x-amz-server-side-encryption-customer-algorithm"] === undefined) return undefined;
    const a = rawActor(raw);
    if (!a) return undefined;
    return { group: a.key, value: rawEventKey(raw), label: `bucket ${typeof params.bucketName === "string" ? params.bucketName : "(unknown)"}` };
  },
  summary: (b) => `${actor(b.principal)} wrote ${b.count} objects with a customer-provided encryption key ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  status: "experimental",
  falsePositives: ["Applications that use SSE-C by design for their own objects (rare; add their roles to `ignorePrincipals`)."],
  runbook: {
    triage: [
      "Is SSE-C used anywhere on purpose in this account? If not, treat it as ransomware in progress.",
      "Which buckets (context.values), and are previous object versions still there?",
    ],
    contain: [
      "Revoke the principal's session or keys at once, then restore the previous versions of the objects; block SSE-C with a bucket policy denying `s3:x-amz-server-side-encryption-customer-algorithm`.",
    ],
  },
  references: {
    mitre: ["T1486"],
    stratus: ["aws.impact.s3-ransomware-client-side-encryption"],
    panther: ["AWS.S3.CopyObjectWithClientSideEncryption"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html"],
  },
  settings: thresholdSettings({ threshold: 20, windowMinutes: 10, dedupMinutes: 60 }),
});
