import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool, dig, isWorldCidr, paramString } from "../helpers";

const ADMIN_PORTS = [22, 3389];

function portRange(r: CloudTrailRecord): { from?: number; to?: number } {
  const from = dig(r.requestParameters, "portRange", "from");
  const to = dig(r.requestParameters, "portRange", "to");
  return { from: typeof from === "number" ? from : undefined, to: typeof to === "number" ? to : undefined };
}

function allTraffic(r: CloudTrailRecord): boolean {
  const proto = String(paramString(r, "aclProtocol") ?? dig(r.requestParameters, "aclProtocol") ?? "-1");
  const { from, to } = portRange(r);
  return proto === "-1" || from === undefined || (from <= 0 && (to ?? 0) >= 65535);
}

/** The ephemeral-port return-traffic entry every stateless NACL needs (tcp/udp, 1024+ up to 65535). */
function isReturnTraffic(r: CloudTrailRecord): boolean {
  const proto = String(dig(r.requestParameters, "aclProtocol") ?? "");
  const { from, to } = portRange(r);
  return (proto === "6" || proto === "17") && from !== undefined && from >= 1024 && to === 65535;
}

/**
 * A network ACL entry that allows inbound traffic from the whole internet (CreateNetworkAclEntry or
 * ReplaceNetworkAclEntry, egress false, ruleAction allow, 0.0.0.0/0 or ::/0). NACLs are stateless and
 * commonly allow the ephemeral return range 1024-65535 from anywhere; that entry is not reported.
 * Low on its own (security groups still filter); medium when it opens all traffic or SSH/RDP.
 */
export default defineRule({
  id: "ec2.network-acl-opened",
  title: "Network ACL opened to the internet",
  severity: "low",
  description:
    "A network ACL now allows inbound traffic from any address. Security groups still apply, but the subnet-level guardrail is gone for those ports; check the entry is intended.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["CreateNetworkAclEntry", "ReplaceNetworkAclEntry"],
  match: (r) => {
    if (asBool(dig(r.requestParameters, "egress")) === true) return false;
    if (String(paramString(r, "ruleAction") ?? "").toLowerCase() !== "allow") return false;
    if (!isWorldCidr(paramString(r, "cidrBlock")) && !isWorldCidr(paramString(r, "ipv6CidrBlock"))) return false;
    return !isReturnTraffic(r);
  },
  severityFor: (r) => {
    if (allTraffic(r)) return "medium";
    const { from, to } = portRange(r);
    return ADMIN_PORTS.some((p) => from !== undefined && to !== undefined && p >= from && p <= to) ? "medium" : "low";
  },
  summary: (r, { principal }) => {
    const { from, to } = portRange(r);
    const what = allTraffic(r) ? "all traffic" : `protocol ${paramString(r, "aclProtocol")} ports ${from}-${to}`;
    return `${actor(principal)} allowed ${what} from ${paramString(r, "cidrBlock") ?? paramString(r, "ipv6CidrBlock")} into network ACL ${paramString(r, "networkAclId") ?? "(unknown)"} (rule ${String(dig(r.requestParameters, "ruleNumber") ?? "?")}) in account ${accountOfRecord(r)}`;
  },
  context: (r) => ({
    networkAclId: paramString(r, "networkAclId"),
    ruleNumber: dig(r.requestParameters, "ruleNumber"),
    protocol: dig(r.requestParameters, "aclProtocol"),
    portRange: dig(r.requestParameters, "portRange"),
    cidr: paramString(r, "cidrBlock") ?? paramString(r, "ipv6CidrBlock"),
  }),
  status: "stable",
  falsePositives: [
    "Public subnets that serve web traffic (ports 80/443 open to the world on purpose).",
  ],
  runbook: {
    triage: [
      "Which ports and which subnets does the ACL apply to, and do the security groups in those subnets allow the same traffic?",
    ],
    contain: [
      "Replace the entry with the narrowest range needed (`aws ec2 replace-network-acl-entry`).",
    ],
  },
  references: {
    mitre: ["T1562.007"],
    panther: ["AWS.CloudTrail.NetworkACLPermissiveEntry"],
    sigma: ["New Network ACL Entry Added"],
    urls: ["https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"],
  },
});
