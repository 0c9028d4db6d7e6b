import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, responseString } from "../helpers";
import { calledByAwsService } from "../caller";

const SESSIONS = ["CreateTrafficMirrorSession", "ModifyTrafficMirrorSession"];
const TARGETS = ["CreateTrafficMirrorTarget"];
const OTHERS = [
  "DeleteTrafficMirrorSession", "DeleteTrafficMirrorTarget", "CreateTrafficMirrorFilter", "DeleteTrafficMirrorFilter",
  "CreateTrafficMirrorFilterRule", "ModifyTrafficMirrorFilterRule", "DeleteTrafficMirrorFilterRule", "ModifyTrafficMirrorFilterNetworkServices",
];

const LOWER: Record<Severity, Severity> = { critical: "high", high: "medium", medium: "low", low: "low", info: "info" };

function severityOf(r: CloudTrailRecord): Severity {
  const base: Severity = SESSIONS.includes(r.eventName) ? "high" : TARGETS.includes(r.eventName) ? "medium" : "low";
  return r.errorCode ? LOWER[base] : base;
}

function subject(r: CloudTrailRecord): string | undefined {
  return paramString(r, "networkInterfaceId") ?? paramString(r, "trafficMirrorSessionId") ?? paramString(r, "trafficMirrorTargetId") ??
    paramString(r, "trafficMirrorFilterId") ?? paramString(r, "trafficMirrorFilterRuleId") ??
    responseString(r, "trafficMirrorTarget", "trafficMirrorTargetId") ?? responseString(r, "trafficMirrorFilter", "trafficMirrorFilterId");
}

/**
 * VPC Traffic Mirroring set up or changed. A mirror session copies every packet of a network interface
 * to a target of the caller's choosing: a wiretap that no security group or flow log shows as unusual.
 * Sessions are high, targets medium, filters and deletions low; failed attempts one level lower, since
 * an attempt is still someone trying to listen. AWS services doing it for you are left out.
 */
export default defineRule({
  id: "ec2.traffic-mirroring-changed",
  title: "VPC traffic mirroring set up or changed",
  severity: "high",
  description:
    "A VPC traffic mirroring session, target or filter was created, changed or deleted: a session copies all traffic of a network interface to another destination.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: [...SESSIONS, ...TARGETS, ...OTHERS],
  includeFailedCalls: true,
  match: (r) => !calledByAwsService(r),
  severityFor: (r) => severityOf(r),
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.errorCode ? `tried to call (${r.errorCode})` : "called"} ${r.eventName}${subject(r) ? ` on ${subject(r)}` : ""} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    call: r.eventName,
    subject: subject(r),
    networkInterfaceId: paramString(r, "networkInterfaceId"),
    trafficMirrorTargetId: paramString(r, "trafficMirrorTargetId"),
    succeeded: !r.errorCode,
  }),
  status: "experimental",
  falsePositives: [
    "Network or security teams feeding an IDS or packet capture.",
  ],
  runbook: {
    triage: [
      "Whose interface is mirrored, and where does the target send the copy (which account)?",
      "Is there a capture or IDS project that explains it?",
    ],
    contain: [
      "Delete unplanned mirror sessions, then targets and filters; rotate secrets that crossed the interface in clear text.",
    ],
  },
  references: {
    mitre: ["T1040", "T1020.001"],
    panther: ["AWS.EC2.Traffic.Mirroring"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTrafficMirrorSession.html"],
  },
});
