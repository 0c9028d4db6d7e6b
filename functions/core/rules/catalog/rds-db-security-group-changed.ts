import type { CloudTrailRecord } from "../../record/schema";
import type { Severity } from "../../alert/alert";
import { defineRule } from "../rule";
import { accountOfRecord, actor, isWorldCidr, paramString } from "../helpers";

function foreignOwner(r: CloudTrailRecord): string | undefined {
  const owner = paramString(r, "eC2SecurityGroupOwnerId");
  return owner && owner !== accountOfRecord(r) ? owner : undefined;
}

function severityOf(r: CloudTrailRecord): Severity {
  if (r.eventName !== "AuthorizeDBSecurityGroupIngress") return "info";
  if (isWorldCidr(paramString(r, "cIDRIP"))) return "high";
  return foreignOwner(r) ? "medium" : "low";
}

function source(r: CloudTrailRecord): string {
  const cidr = paramString(r, "cIDRIP");
  if (cidr) return cidr;
  const sg = paramString(r, "eC2SecurityGroupId") ?? paramString(r, "eC2SecurityGroupName");
  const owner = paramString(r, "eC2SecurityGroupOwnerId");
  return sg ? `security group ${sg}${owner ? ` of account ${owner}` : ""}` : "an unnamed source";
}

/**
 * RDS DB security groups (the EC2-Classic firewall of RDS, outside any VPC): ingress authorized, or a
 * group created or deleted. AWS retired them with EC2-Classic, so any use is unusual; access opened to
 * the whole internet is high, to another account's security group medium.
 */
export default defineRule({
  id: "rds.db-security-group-changed",
  title: "RDS DB security group changed",
  severity: "low",
  description:
    "An RDS DB security group (the pre-VPC firewall) got a new ingress source, or was created or deleted. 0.0.0.0/0 exposes its databases to the internet; another account's security group lets that account reach them.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["AuthorizeDBSecurityGroupIngress", "CreateDBSecurityGroup", "DeleteDBSecurityGroup"],
  match: () => true,
  severityFor: (r) => severityOf(r),
  summary: (r, { principal }) => {
    const group = paramString(r, "dBSecurityGroupName") ?? "(unnamed)";
    const where = `in account ${accountOfRecord(r)}`;
    if (r.eventName === "AuthorizeDBSecurityGroupIngress") return `${actor(principal)} allowed ${source(r)} into RDS DB security group ${group} ${where}`;
    return `${actor(principal)} ${r.eventName === "CreateDBSecurityGroup" ? "created" : "deleted"} RDS DB security group ${group} ${where}`;
  },
  context: (r) => ({
    dbSecurityGroup: paramString(r, "dBSecurityGroupName"),
    cidr: paramString(r, "cIDRIP"),
    ec2SecurityGroup: paramString(r, "eC2SecurityGroupId") ?? paramString(r, "eC2SecurityGroupName"),
    ec2SecurityGroupOwner: paramString(r, "eC2SecurityGroupOwnerId"),
    openToWorld: isWorldCidr(paramString(r, "cIDRIP")),
  }),
  status: "stable",
  falsePositives: ["Maintenance of a legacy EC2-Classic database before its migration to a VPC."],
  runbook: {
    triage: [
      "Check which DB instances use the DB security group (DescribeDBInstances, DBSecurityGroups).",
      "For a CIDR: is it your office or VPN range? 0.0.0.0/0 exposes the database port to everyone.",
      "For another account's security group: is that account yours (AWS Organizations) and expected?",
    ],
    contain: [
      "Revoke the ingress (RevokeDBSecurityGroupIngress) that is not expected.",
      "Rotate the database master password if the database was reachable from outside; check its logs for connections.",
      "Plan the move to a VPC security group: DB security groups are retired.",
    ],
  },
  references: {
    mitre: ["T1562.007"],
    panther: ["AWS.RDS.SecurityGroupIngressAuthorized"],
    sigma: ["RDS Database Security Group Modification"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_AuthorizeDBSecurityGroupIngress.html"],
  },
});
