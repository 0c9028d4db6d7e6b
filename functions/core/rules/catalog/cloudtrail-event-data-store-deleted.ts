import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, shortName } from "../helpers";

/** CloudTrail Lake: an event data store deleted or its ingestion stopped. */
export default defineRule({
  id: "cloudtrail.event-data-store-deleted",
  title: "CloudTrail Lake event data store deleted or stopped",
  severity: "high",
  description:
    "A CloudTrail Lake event data store was deleted (DeleteEventDataStore, restorable only during its 7-day pending-deletion window) or stopped ingesting events (StopEventDataStoreIngestion). Either way, the activity it recorded for queries and investigations stops.",
  eventSources: ["cloudtrail.amazonaws.com"],
  eventNames: ["DeleteEventDataStore", "StopEventDataStoreIngestion"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.eventName === "DeleteEventDataStore" ? "deleted" : "stopped ingestion of"} CloudTrail Lake event data store ${shortName(paramString(r, "eventDataStore")) ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ eventDataStore: paramString(r, "eventDataStore"), action: r.eventName }),
  status: "stable",
  falsePositives: [
    "Decommissioning a CloudTrail Lake store that was replaced by another (check that the new one ingests the same events).",
  ],
  runbook: {
    triage: [
      "Is the store pending deletion (restorable for 7 days) or only stopped? `aws cloudtrail get-event-data-store --event-data-store <arn>`.",
      "Who did it, from where, and what else did that principal do in the hour before and after?",
    ],
    contain: [
      "Restore it while it is pending deletion (`aws cloudtrail restore-event-data-store`) or restart ingestion (`start-event-data-store-ingestion`).",
      "Turn on termination protection and deny `cloudtrail:DeleteEventDataStore` / `StopEventDataStoreIngestion` outside the security team.",
    ],
  },
  references: { mitre: ["T1562.008"], urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-eds-disable-termination.html"] },
});
