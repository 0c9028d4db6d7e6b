import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

/** DeleteAnalyzer: IAM Access Analyzer stops reporting resources shared outside the account or organization. */
export default defineRule({
  id: "accessanalyzer.analyzer-deleted",
  title: "IAM Access Analyzer deleted",
  severity: "medium",
  description:
    "An IAM Access Analyzer analyzer was deleted. Resources shared with outside accounts or made public (the very changes an attacker makes to exfiltrate or keep access) are no longer reported.",
  eventSources: ["access-analyzer.amazonaws.com"],
  eventNames: ["DeleteAnalyzer"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} deleted IAM Access Analyzer ${paramString(r, "analyzerName") ?? "(unknown)"} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({ analyzer: paramString(r, "analyzerName") }),
  status: "stable",
  falsePositives: [
    "A platform team replacing an account analyzer with an organization analyzer (the new one is created in the delegated administrator account).",
  ],
  runbook: {
    triage: [
      "Check whether an organization-level analyzer (in the delegated administrator account) still covers this account: `aws accessanalyzer list-analyzers` there.",
      "Who deleted it, from where, and did they also change resource policies (S3, KMS, IAM trust) in the same session?",
    ],
    contain: [
      "Recreate the analyzer (`aws accessanalyzer create-analyzer --type ACCOUNT` or ORGANIZATION) and review its findings for resources shared while it was gone.",
      "Deny `access-analyzer:DeleteAnalyzer` outside the security team with a service control policy.",
    ],
  },
  references: { mitre: ["T1562.001"], urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html"] },
});
