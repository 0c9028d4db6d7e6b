import type { CloudTrailRecord } from "../../record/schema";
import { defineRule, type SigmaOrigin } from "../rule";
import { accountOfRecord, actor, paramString, sigmaAttribution } from "../helpers";

function foreignOwner(r: CloudTrailRecord): string | undefined {
  const owner = paramString(r, "eC2SecurityGroupOwnerId");
  return owner && owner !== accountOfRecord(r) ? owner : undefined;
}

const VERB: Record<string, string> = {
  CreateCacheSecurityGroup: "created",
  DeleteCacheSecurityGroup: "deleted",
};

/** The Sigma rule(s) this rule ports; its alerts name their authors. */
const DERIVED: SigmaOrigin[] = [
  { sigma: "AWS ElastiCache Security Group Created", author: "Austin Songer @austinsonger" },
  { sigma: "AWS ElastiCache Security Group Modified or Deleted", author: "Austin Songer @austinsonger" },
];

/**
 * ElastiCache cache security groups (the EC2-Classic firewall of ElastiCache): ingress authorized,
 * or a group created or deleted. Retired with EC2-Classic, so rare; ingress from another account's
 * security group is medium (that account can reach the cache, which usually holds sessions or tokens).
 */
export default defineRule({
  id: "elasticache.security-group-changed",
  title: "ElastiCache cache security group changed",
  severity: "low",
  description:
    "An ElastiCache cache security group (the pre-VPC firewall of ElastiCache) was given a new ingress source, created or deleted. Caches often hold session tokens and credentials; ingress from an account that is not yours lets it read them.",
  eventSources: ["elasticache.amazonaws.com"],
  eventNames: ["AuthorizeCacheSecurityGroupIngress", "CreateCacheSecurityGroup", "DeleteCacheSecurityGroup"],
  match: () => true,
  severityFor: (r) => (r.eventName !== "AuthorizeCacheSecurityGroupIngress" ? "info" : foreignOwner(r) ? "medium" : "low"),
  summary: (r, { principal }) => {
    const group = paramString(r, "cacheSecurityGroupName") ?? "(unnamed)";
    if (r.eventName !== "AuthorizeCacheSecurityGroupIngress") return `${actor(principal)} ${VERB[r.eventName]} ElastiCache cache security group ${group} in account ${accountOfRecord(r)}`;
    const sg = paramString(r, "eC2SecurityGroupName") ?? "(unnamed)";
    const owner = paramString(r, "eC2SecurityGroupOwnerId");
    return `${actor(principal)} allowed security group ${sg}${owner ? ` of account ${owner}` : ""} into ElastiCache cache security group ${group} in account ${accountOfRecord(r)}`;
  },
  context: (r) => ({
    attribution: sigmaAttribution(DERIVED),
    cacheSecurityGroup: paramString(r, "cacheSecurityGroupName"),
    ec2SecurityGroup: paramString(r, "eC2SecurityGroupName"),
    ec2SecurityGroupOwner: paramString(r, "eC2SecurityGroupOwnerId"),
    foreignAccount: foreignOwner(r),
  }),
  status: "stable",
  falsePositives: ["Maintenance of a legacy EC2-Classic cache cluster before its migration to a VPC."],
  runbook: {
    triage: [
      "Check which cache clusters use the cache security group (DescribeCacheClusters).",
      "For ingress from another account: is the account yours and expected to reach the cache?",
    ],
    contain: [
      "Revoke the ingress (RevokeCacheSecurityGroupIngress) that is not expected.",
      "Rotate what the cache holds that grants access (session secrets, tokens) if it was reachable from outside.",
    ],
  },
  references: {
    mitre: ["T1562.007"],
    sigma: ["AWS ElastiCache Security Group Created", "AWS ElastiCache Security Group Modified or Deleted"],
    derivedFrom: DERIVED,
    urls: ["https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_AuthorizeCacheSecurityGroupIngress.html"],
  },
});
