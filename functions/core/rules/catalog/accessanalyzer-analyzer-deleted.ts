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
  references: { mitre: ["T1562.001"] },
});
