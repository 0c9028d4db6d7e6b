import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, hourOf, paramString, responseString } from "../helpers";
import { actsByHand, calledByAwsService } from "../caller";

const GATEWAYS = [
  "CreateInternetGateway", "DeleteInternetGateway", "AttachInternetGateway", "DetachInternetGateway",
  "CreateCustomerGateway", "DeleteCustomerGateway", "AttachVpnGateway", "DetachVpnGateway", "CreateVpnConnection", "DeleteVpnConnection",
];
const ROUTES = [
  "CreateRoute", "ReplaceRoute", "DeleteRoute", "CreateRouteTable", "DeleteRouteTable",
  "AssociateRouteTable", "DisassociateRouteTable", "ReplaceRouteTableAssociation",
];
const VPCS = [
  "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "CreateVpcPeeringConnection", "AcceptVpcPeeringConnection",
  "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "EnableVpcClassicLink", "DisableVpcClassicLink",
  "AttachClassicLinkVpc", "DetachClassicLinkVpc",
];

interface Change {
  area: "gateway" | "route" | "vpc";
  severity: Severity;
  /** Why it is above the baseline, when it is. */
  note?: string;
}

/** The other account of a VPC peering connection this call creates or accepts, when it is not this account. */
function foreignPeer(r: CloudTrailRecord): string | undefined {
  const own = accountOfRecord(r);
  const candidates = [
    paramString(r, "peerOwnerId"),
    dig(r.responseElements, "vpcPeeringConnection", "requesterVpcInfo", "ownerId"),
    dig(r.responseElements, "vpcPeeringConnection", "accepterVpcInfo", "ownerId"),
  ];
  return candidates.find((a): a is string => typeof a === "string" && /^\d{12}$/.test(a) && a !== own);
}

/** True for a route that sends all traffic (a /0) to an internet gateway. */
function defaultRouteToInternet(r: CloudTrailRecord): boolean {
  const gw = paramString(r, "gatewayId") ?? "";
  const dest = paramString(r, "destinationCidrBlock") ?? paramString(r, "destinationIpv6CidrBlock") ?? "";
  return gw.startsWith("igw-") && /\/0$/.test(dest);
}

function classify(r: CloudTrailRecord): Change {
  const area = GATEWAYS.includes(r.eventName) ? "gateway" : ROUTES.includes(r.eventName) ? "route" : "vpc";
  const peer = r.eventName === "CreateVpcPeeringConnection" || r.eventName === "AcceptVpcPeeringConnection" ? foreignPeer(r) : undefined;
  if (peer) return { area, severity: "medium", note: `peering with account ${peer}` };
  const base: Severity = actsByHand(r) ? "low" : "info";
  if ((r.eventName === "CreateRoute" || r.eventName === "ReplaceRoute") && defaultRouteToInternet(r)) {
    return { area, severity: base, note: "all traffic routed to an internet gateway" };
  }
  return { area, severity: base };
}

function target(r: CloudTrailRecord): string | undefined {
  return paramString(r, "internetGatewayId") ?? paramString(r, "customerGatewayId") ?? paramString(r, "vpnGatewayId") ??
    paramString(r, "vpnConnectionId") ?? paramString(r, "routeTableId") ?? paramString(r, "vpcPeeringConnectionId") ??
    paramString(r, "associationId") ?? paramString(r, "vpcId") ?? responseString(r, "vpc", "vpcId") ??
    responseString(r, "internetGateway", "internetGatewayId") ?? responseString(r, "routeTable", "routeTableId");
}

/**
 * Changes to how traffic leaves or enters a network: internet, customer and VPN gateways, routes and
 * route tables, VPCs and VPC peering (the CIS "network gateway / route table / VPC changes" alarms).
 * Infrastructure pipelines make these all day, so an automation role's change is `info` (an audit
 * record), a change made by hand is low, and only peering with another account is medium.
 */
export default defineRule<undefined, Change>({
  id: "ec2.network-path-changed",
  title: "Network gateway, route or VPC changed",
  severity: "low",
  description:
    "A gateway, route, route table, VPC or VPC peering was created, changed or deleted: these decide where traffic can go, and a new path lets data leave.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: [...GATEWAYS, ...ROUTES, ...VPCS],
  match: (r) => (calledByAwsService(r) ? null : classify(r)),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} called ${r.eventName} on ${target(r) ?? `a ${m.area}`} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})${m.note ? `: ${m.note}` : ""}`,
  dedupKey: (r, { principal }, m) => (m.severity === "medium" ? (r.eventID ?? `${hourOf(r)}|${principal.id}|${r.eventName}`) : `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${r.awsRegion ?? ""}|${m.area}|${hourOf(r)}`),
  context: (r, _c, m) => ({
    area: m.area,
    call: r.eventName,
    target: target(r),
    byHand: actsByHand(r),
    ...(m.note ? { note: m.note } : {}),
    ...(paramString(r, "destinationCidrBlock") ? { destination: paramString(r, "destinationCidrBlock") } : {}),
    ...(paramString(r, "gatewayId") ? { gatewayId: paramString(r, "gatewayId") } : {}),
  }),
  status: "experimental",
  falsePositives: [
    "Network stacks deployed by Terraform, CloudFormation or CDK (info from a pipeline role).",
  ],
  runbook: {
    triage: [
      "Was there a change request or pipeline run for it?",
      "Where does a new route or peering lead (internet gateway, peering, which account), and which subnets use it?",
    ],
    contain: [
      "Delete an unplanned route or peering, detach an unplanned internet gateway; check flow logs for traffic over the path.",
    ],
  },
  references: {
    mitre: ["T1578.005"],
    panther: ["AWS.EC2.GatewayModified", "AWS.EC2.RouteTableModified", "AWS.EC2.VPCModified"],
    sigma: ["New Network Route Added"],
    urls: ["https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"],
  },
});
