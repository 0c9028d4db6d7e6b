import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

function resourceOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "resourceArn") ?? paramString(r, "ResourceArn");
}

/**
 * A WAF web ACL taken off a load balancer, API Gateway stage, AppSync API or Cognito pool
 * (DisassociateWebACL, WAFv2 and WAF Classic Regional). The resource is then exposed to whatever the
 * rules blocked. Infrastructure code replacing an association does this too, so medium, and low when
 * CloudFormation does it as part of a stack update.
 */
export default defineRule({
  id: "waf.web-acl-disassociated",
  title: "WAF web ACL removed from a resource",
  severity: "medium",
  description:
    "A WAF web ACL was disassociated from a load balancer, API or user pool. The resource no longer gets the WAF's protection (rate limits, managed rule sets, IP blocks) until an ACL is associated again.",
  eventSources: ["wafv2.amazonaws.com", "waf-regional.amazonaws.com"],
  eventNames: ["DisassociateWebACL"],
  match: () => true,
  severityFor: (r) => (calledByAwsService(r) ? "low" : "medium"),
  summary: (r, { principal }) => `${actor(principal)} removed the WAF web ACL from ${resourceOf(r) ?? "(unknown resource)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ resourceArn: resourceOf(r) }),
  falsePositives: ["Infrastructure code replacing one web ACL with another (look for an AssociateWebACL right after)."],
  runbook: {
    triage: [
      "Was a new web ACL associated with the resource right after (AssociateWebACL)? If yes, compare the two ACLs.",
      "Is there a change request? What traffic reached the resource while it was unprotected (WAF and load balancer logs)?",
    ],
    contain: ["Associate the web ACL again (wafv2 associate-web-acl) and revoke the caller's credentials if it was not planned."],
  },
  references: {
    mitre: ["T1562.007"],
    panther: ["AWS.WAF.Disassociation"],
  },
});
