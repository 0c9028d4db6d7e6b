import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

/** Route 53 Resolver DNS query logging removed or detached from a VPC (Stratus "dns-delete-logs"). */
export default defineRule({
  id: "route53resolver.query-logging-deleted",
  title: "DNS query logging deleted",
  severity: "medium",
  description:
    "A Route 53 Resolver query logging configuration was deleted or disassociated from a VPC. DNS lookups (often the first trace of malware, tunnelling and exfiltration) are no longer recorded.",
  eventSources: ["route53resolver.amazonaws.com"],
  eventNames: ["DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.eventName === "DeleteResolverQueryLogConfig" ? "deleted" : "detached"} DNS query logging configuration ${paramString(r, "resolverQueryLogConfigId") ?? "(unknown)"}${paramString(r, "resourceId") ? ` from ${paramString(r, "resourceId")}` : ""} in account ${accountOfRecord(r)}`,
  context: (r) => ({ resolverQueryLogConfigId: paramString(r, "resolverQueryLogConfigId"), vpc: paramString(r, "resourceId") }),
  status: "stable",
  falsePositives: [
    "Replacing a query logging configuration with a new destination.",
  ],
  runbook: {
    triage: [
      "Is another configuration associated with the VPCs (`aws route53resolver list-resolver-query-log-config-associations`)?",
    ],
    contain: [
      "Recreate and re-associate the configuration; review DNS activity during the gap from other sources (GuardDuty DNS findings).",
    ],
  },
  references: {
    mitre: ["T1562.008"],
    stratus: ["aws.defense-evasion.dns-delete-logs"],
    panther: ["AWS.CloudTrail.DNSLogsDeleted"],
    urls: ["https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs.html"],
  },
});
