import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

const WHAT: Record<string, string> = {
  StopConfigurationRecorder: "stopped AWS Config recorder",
  DeleteConfigurationRecorder: "deleted AWS Config recorder",
  DeleteDeliveryChannel: "deleted AWS Config delivery channel",
};

/** AWS Config stops recording resource changes (or can no longer deliver them). */
export default defineRule({
  id: "config.recorder-stopped",
  title: "AWS Config recording stopped",
  severity: "high",
  description:
    "AWS Config stopped recording configuration changes: the recorder was stopped or deleted, or its delivery channel deleted. Config rules stop evaluating and the configuration history an investigation relies on has a gap from now on.",
  eventSources: ["config.amazonaws.com"],
  eventNames: Object.keys(WHAT),
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} ${WHAT[r.eventName]} ${paramString(r, "configurationRecorderName") ?? paramString(r, "deliveryChannelName") ?? ""} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`.replace("  ", " "),
  context: (r) => ({ recorder: paramString(r, "configurationRecorderName"), deliveryChannel: paramString(r, "deliveryChannelName"), action: r.eventName }),
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.ConfigService.DisabledDeleted", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS Config Disabling Channel/Recorder"],
  },
});
