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
  references: { mitre: ["T1562.008"] },
});
