import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

/**
 * A registered domain made transferable or handed to another AWS account. Losing a domain means losing
 * its e-mail, its TLS certificates and every login that trusts it; registrars take days to reverse.
 */
export default defineRule({
  id: "route53domains.domain-transfer-enabled",
  title: "Domain transfer lock removed or domain handed over",
  severity: "high",
  description:
    "A Route 53 registered domain had its transfer lock removed (DisableDomainTransferLock) or was offered to another AWS account (TransferDomainToAnotherAwsAccount). Whoever gets the domain controls its DNS, e-mail and certificates.",
  eventSources: ["route53domains.amazonaws.com"],
  eventNames: ["DisableDomainTransferLock", "TransferDomainToAnotherAwsAccount"],
  match: () => true,
  severityFor: (r) => (r.eventName === "TransferDomainToAnotherAwsAccount" ? "high" : "medium"),
  summary: (r, { principal }) =>
    r.eventName === "TransferDomainToAnotherAwsAccount"
      ? `${actor(principal)} started transferring domain ${paramString(r, "domainName") ?? "(unknown)"} from account ${accountOfRecord(r)} to account ${paramString(r, "accountId") ?? "(unknown)"}`
      : `${actor(principal)} removed the transfer lock of domain ${paramString(r, "domainName") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ domain: paramString(r, "domainName"), toAccount: paramString(r, "accountId") }),
  status: "stable",
  falsePositives: [
    "A planned transfer of a domain to another registrar or account (confirm with the domain owner).",
  ],
  runbook: {
    triage: [
      "Which domain, to which account, and who did it? Check the domain's status with `aws route53domains get-domain-detail` (region us-east-1).",
    ],
    contain: [
      "Re-enable the transfer lock (`enable-domain-transfer-lock`) or cancel the transfer (`cancel-domain-transfer-to-another-aws-account`).",
    ],
  },
  references: { mitre: ["T1584.001"], sigma: ["AWS Route 53 Domain Transfer Lock Disabled", "AWS Route 53 Domain Transferred to Another Account"], urls: ["https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/domain-lock.html"] },
});
