import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString, responseString } from "../helpers";
import { auditsCaller, CHANGE_AUDIT_STEPS, changeAuditKey, changeAuditSettings, via, type ChangeAuditSettings } from "../change-audit";

const SECURITY_GROUPS = [
  "CreateSecurityGroup", "DeleteSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
  "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "ModifySecurityGroupRules",
];
const NETWORK_ACLS = [
  "CreateNetworkAcl", "DeleteNetworkAcl", "CreateNetworkAclEntry", "ReplaceNetworkAclEntry", "DeleteNetworkAclEntry",
  "ReplaceNetworkAclAssociation",
];

type Area = "security group" | "network ACL";

/** The security group or network ACL a call changes, when the event names it. */
function targetOf(r: CloudTrailRecord, area: Area): string | undefined {
  if (area === "network ACL") {
    return paramString(r, "networkAclId") ?? responseString(r, "networkAcl", "networkAclId") ?? paramString(r, "associationId");
  }
  return paramString(r, "groupId") ?? (dig(r.requestParameters, "ModifySecurityGroupRulesRequest", "GroupId") as string | undefined) ??
    responseString(r, "groupId") ?? paramString(r, "groupName");
}

/**
 * Change audit of network filtering: security groups and network ACLs created, deleted or given
 * different rules, at info and once per caller, account, region and hour (see `change-audit.ts`).
 * What an opened rule lets in is judged where it is set: ingress open to the world is
 * `ec2.security-group-open-to-world` (medium or high), a NACL entry open to the world
 * `ec2.network-acl-opened`; this rule keeps the record of every other change.
 */
export default defineRule<ChangeAuditSettings, Area>({
  id: "ec2.firewall-rules-changed",
  title: "Security group or network ACL changed",
  severity: "info",
  status: "experimental",
  description:
    "A security group or network ACL was created, deleted or given different rules. Recorded at info, once per caller, account, region and hour; ingress opened to the whole internet is reported at once by `ec2.security-group-open-to-world` and `ec2.network-acl-opened`.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: [...SECURITY_GROUPS, ...NETWORK_ACLS],
  match: (r, { principal, settings }) =>
    auditsCaller(principal, settings) ? (NETWORK_ACLS.includes(r.eventName) ? "network ACL" : "security group") : undefined,
  summary: (r, { principal }, area) => {
    const target = targetOf(r, area);
    return `${actor(principal)} changed ${target ? `${area} ${target}` : `a ${area}`} with ${r.eventName} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})${via(r)}`;
  },
  dedupKey: (r, { principal }) => changeAuditKey(r, principal),
  context: (r, _c, area) => ({
    area,
    call: r.eventName,
    target: targetOf(r, area),
    vpcId: paramString(r, "vpcId"),
    invokedBy: r.userIdentity?.invokedBy ?? undefined,
  }),
  falsePositives: [
    "Deployments creating and updating security groups and NACLs with their stacks: name the pipeline's role in ignorePrincipals when its changes are reviewed in code.",
    "Administrators opening a port for a colleague or a vendor, by hand, with a ticket.",
  ],
  runbook: {
    triage: [
      CHANGE_AUDIT_STEPS.who,
      CHANGE_AUDIT_STEPS.related,
      "Which groups or ACLs changed, which ports and sources were added or removed, and which instances, load balancers or subnets use them?",
    ],
    contain: [
      CHANGE_AUDIT_STEPS.revert,
      "Revoke rules nobody planned (or restore a deleted deny entry) and check VPC flow logs for traffic through the opening while it existed.",
    ],
  },
  references: {
    mitre: ["T1562.007"],
    panther: ["AWS.EC2.SecurityGroupModified", "AWS.EC2.NetworkACLModified"],
    sigma: ["Ingress/Egress Security Group Modification", "New Network ACL Entry Added"],
    urls: ["https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"],
  },
  settings: changeAuditSettings,
});
