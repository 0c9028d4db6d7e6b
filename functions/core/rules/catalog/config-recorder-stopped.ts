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
  status: "stable",
  falsePositives: [
    "Config recorder reconfiguration by the platform team (e.g. switching to periodic recording), usually followed by a restart.",
  ],
  runbook: {
    triage: [
      "Is the recorder running again? `aws configservice describe-configuration-recorder-status`.",
      "Who stopped or deleted it, and what did they change while recording was off?",
    ],
    contain: [
      "Start the recorder and recreate the delivery channel from infrastructure code; review changes made during the gap with CloudTrail.",
      "Deny `config:StopConfigurationRecorder` and `config:Delete*` outside the security team with a service control policy.",
    ],
  },
  references: {
    mitre: ["T1562.001"],
    panther: ["AWS.ConfigService.DisabledDeleted", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS Config Disabling Channel/Recorder"],
    urls: ["https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html"],
  },
});
