import { accountOfRecord, actor } from "../helpers";
import { ACTOR_TYPES, rawActor } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal calling AWS APIs in many regions within a short time: enumeration tools walk every
 * region (resources hide in the ones nobody watches), crypto-mining campaigns launch in all of them.
 * People and applications work in the few regions the organization uses. It watches every record,
 * so it reads records raw (identity and region only) and validates only the one that alerts. Calls
 * made by AWS services on a principal's behalf and service-linked roles (AWS Config, which records
 * every region) do not count.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "aws.many-regions-touched",
  title: "One principal active in many regions",
  severity: "medium",
  description:
    "One principal called AWS APIs in many different regions within a short time. Organizations work in a few regions; touching many of them at once is what region-by-region enumeration and mass resource launches look like.",
  eventSources: ["*"],
  eventNames: "*",
  identityTypes: ACTOR_TYPES,
  count: "distinct",
  // It sees nearly every record: a scan gives it these two fields without parsing the record.
  rawFields: ["awsRegion", "userIdentity"],
  observeRaw: (raw) => {
    const region = raw.awsRegion;
    if (typeof region !== "string" || region.length === 0 || region.length > 30) return undefined;
    const a = rawActor(raw);
    return a ? { group: a.key, value: region } : undefined;
  },
  summary: (b) => `${actor(b.principal)} called APIs in ${b.count} regions ${burstSpan(b)} (${listValues(b, 6)}) in account ${accountOfRecord(b.record)}`,
  status: "experimental",
  falsePositives: [
    "Security and inventory tools (CSPM scanners, Prowler, Steampipe) that read every region by design: add their roles to `ignorePrincipals`.",
    "The console's global views (EC2 Global View, the Billing console) that query every region for a person.",
    "Multi-region deployment pipelines: raise `threshold` above the number of regions they deploy to.",
  ],
  runbook: {
    triage: [
      "Which regions (context.values), and does the organization use them? Calls in regions nobody uses, and opt-in regions enabled just before, point to enumeration or resource abuse.",
      "What did the principal call there: Describe/List calls across services (enumeration) or RunInstances/CreateFunction (launching resources)? Check the user agent and source IP.",
    ],
    contain: [
      "If not expected: revoke the principal's sessions or keys, then look in each region touched for resources it created (instances, functions, key pairs, users) and remove them.",
      "Deny unused regions with a service control policy on `aws:RequestedRegion`.",
    ],
  },
  references: {
    mitre: ["T1535", "T1580"],
    panther: ["AWS.SecretsManager.RetrieveSecretsMultiRegion"],
    urls: ["https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region"],
  },
  settings: thresholdSettings({ threshold: 6, windowMinutes: 30, dedupMinutes: 360 }),
});
