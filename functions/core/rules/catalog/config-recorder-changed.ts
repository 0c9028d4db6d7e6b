import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool, asList, dig, paramString } from "../helpers";

/** What a PutConfigurationRecorder leaves out: resource types excluded, or only a chosen list recorded. */
function narrowing(r: CloudTrailRecord): string | undefined {
  if (r.eventName !== "PutConfigurationRecorder") return undefined;
  const group = dig(r.requestParameters, "configurationRecorder", "recordingGroup");
  if (!group || typeof group !== "object") return undefined;
  const strategy = String(dig(group, "recordingStrategy", "useOnly") ?? "").toUpperCase();
  const excluded = asList(dig(group, "exclusionByResourceTypes", "resourceTypes"));
  if (strategy === "EXCLUSION_BY_RESOURCE_TYPES" || excluded.length > 0) return `excludes ${excluded.length} resource type(s)`;
  if (asBool(dig(group, "allSupported")) === false) return `records only ${asList(dig(group, "resourceTypes")).length} chosen resource type(s)`;
  return undefined;
}

const WHAT: Record<string, string> = {
  PutConfigurationRecorder: "set up AWS Config recorder",
  PutDeliveryChannel: "set up AWS Config delivery channel",
  StartConfigurationRecorder: "started AWS Config recorder",
};

/**
 * AWS Config recorder or delivery channel set up or started. Info, as the companion of
 * config.recorder-stopped (a start closes the gap a stop opened); low when the recorder is set to
 * record less than every supported resource type, which hides changes to what it leaves out.
 */
export default defineRule({
  id: "config.recorder-changed",
  title: "AWS Config recorder or delivery channel changed",
  severity: "info",
  description:
    "An AWS Config recorder or delivery channel was created, changed or started. Routine for landing zones; worth a look after a stopped recorder (the gap is unrecorded), for a new delivery bucket, or when the recorder leaves resource types out.",
  eventSources: ["config.amazonaws.com"],
  eventNames: Object.keys(WHAT),
  match: () => true,
  severityFor: (r) => (narrowing(r) ? "low" : "info"),
  summary: (r, { principal }) => {
    const name = paramString(r, "configurationRecorderName") ?? paramString(r, "configurationRecorder", "name") ?? paramString(r, "deliveryChannel", "name") ?? "";
    const narrowed = narrowing(r);
    return `${actor(principal)} ${WHAT[r.eventName]} ${name}${narrowed ? ` that ${narrowed}` : ""} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`.replace("  ", " ");
  },
  context: (r) => ({
    action: r.eventName,
    recorder: paramString(r, "configurationRecorderName") ?? paramString(r, "configurationRecorder", "name"),
    recordingGroup: dig(r.requestParameters, "configurationRecorder", "recordingGroup"),
    deliveryBucket: paramString(r, "deliveryChannel", "s3BucketName"),
    narrowed: narrowing(r) ?? false,
  }),
  status: "stable",
  falsePositives: [
    "Control Tower, StackSets or Terraform (re)applying the Config baseline in every account and region.",
    "Cost-driven recorders that record a chosen list of resource types on purpose.",
  ],
  runbook: {
    triage: [
      "For a start: find the stop before it (config.recorder-stopped) and note the unrecorded window.",
      "For a delivery channel: check the bucket and SNS topic belong to your log-archive account.",
      "For a narrowed recorder: compare the recorded types with your baseline; which resources were dropped?",
    ],
    contain: [
      "Restore the baseline recorder (all supported types, global types in the home region) and delivery channel.",
      "Review changes to the dropped resource types with CloudTrail while Config did not record them.",
    ],
  },
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.ConfigService.Created"],
    urls: ["https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html"],
  },
});
