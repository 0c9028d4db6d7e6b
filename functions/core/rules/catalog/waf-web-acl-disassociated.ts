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
    "A WAF web ACL was removed from a load balancer, API or user pool, which loses the WAF's rate limits, managed rules and IP blocks.",
  eventSources: ["wafv2.amazonaws.com", "waf-regional.amazonaws.com"],
  eventNames: ["DisassociateWebACL"],
  match: () => true,
  severityFor: (r) => (calledByAwsService(r) ? "low" : "medium"),
  summary: (r, { principal }) => `${actor(principal)} removed the WAF web ACL from ${resourceOf(r) ?? "(unknown resource)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ resourceArn: resourceOf(r) }),
  status: "experimental",
  falsePositives: [
    "Infrastructure code replacing one web ACL with another (an AssociateWebACL follows).",
  ],
  runbook: {
    triage: [
      "Was another ACL associated right after? Is there a change request?",
    ],
    contain: [
      "Associate the web ACL again; revoke the caller's credentials if not planned.",
    ],
  },
  references: {
    mitre: ["T1562.007"],
    panther: ["AWS.WAF.Disassociation"],
    urls: ["https://docs.aws.amazon.com/waf/latest/APIReference/API_DisassociateWebACL.html"],
  },
});
