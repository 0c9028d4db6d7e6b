import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, stringList } from "../helpers";

/** Flow log ids in either logged shape: `flowLogIds` or the wrapped `DeleteFlowLogsRequest.FlowLogId`. */
function flowLogIds(r: CloudTrailRecord): string[] {
  const p = r.requestParameters ?? {};
  const direct = stringList(dig(p, "flowLogIds")).concat(asList(dig(p, "flowLogIds")).map((x) => dig(x, "item")).filter((x): x is string => typeof x === "string"));
  const wrapped = asList(dig(p, "DeleteFlowLogsRequest", "FlowLogId")).map((x) => (typeof x === "string" ? x : dig(x, "content"))).filter((x): x is string => typeof x === "string");
  return [...new Set([...direct, ...wrapped])];
}

/** DeleteFlowLogs: network traffic records of a VPC, subnet or interface stop (Stratus "vpc-remove-flow-logs"). */
export default defineRule({
  id: "ec2.flow-logs-deleted",
  title: "VPC flow logs deleted",
  severity: "medium",
  description:
    "VPC flow logs were deleted. Network connections of the VPC, subnet or interface are no longer recorded, which hides exfiltration and lateral movement from investigators and from GuardDuty-independent analysis.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["DeleteFlowLogs"],
  match: () => true,
  summary: (r, { principal }) => `${actor(principal)} deleted VPC flow logs ${flowLogIds(r).join(", ") || "(ids not logged)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ flowLogIds: flowLogIds(r) }),
  status: "stable",
  falsePositives: [
    "Tearing down a VPC (flow logs go with it) or replacing flow logs with a new destination.",
  ],
  runbook: {
    triage: [
      "Does the VPC or interface still exist, and does another flow log cover it (`aws ec2 describe-flow-logs`)?",
      "Who deleted it and what network changes came with it (security groups, routes)?",
    ],
    contain: [
      "Recreate the flow log from infrastructure code and review network activity around the gap from other sources (GuardDuty, load balancer logs).",
      "Deny `ec2:DeleteFlowLogs` outside the network team.",
    ],
  },
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.vpc-remove-flow-logs"],
    panther: ["AWS.VPCFlow.LogsDeleted", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS VPC Flow Logs Deleted"],
    urls: ["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"],
  },
});
