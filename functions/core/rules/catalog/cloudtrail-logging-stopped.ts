import { defineRule } from "../rule";
import { actor, paramString, shortName } from "../helpers";

/** StopLogging: the classic first move of an attacker who wants to act unseen. */
export default defineRule({
  id: "cloudtrail.logging-stopped",
  title: "CloudTrail logging stopped",
  severity: "critical",
  description: "A trail stopped recording API activity (StopLogging). Nothing done in its scope is logged until logging is started again.",
  eventSources: ["cloudtrail.amazonaws.com"],
  eventNames: ["StopLogging"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} stopped logging on trail ${shortName(paramString(r, "name")) ?? "(unnamed)"}`,
  context: (r) => ({ trail: paramString(r, "name") }),
  remediation: "cloudtrail.start-logging",
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.cloudtrail-stop"],
    panther: ["AWS.CloudTrail.Stopped"],
  },
});
