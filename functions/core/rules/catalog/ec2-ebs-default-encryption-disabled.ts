import { defineRule } from "../rule";
import { accountOfRecord, actor } from "../helpers";

/** DisableEbsEncryptionByDefault: new EBS volumes in the region are no longer encrypted automatically. */
export default defineRule({
  id: "ec2.ebs-default-encryption-disabled",
  title: "EBS encryption by default disabled",
  severity: "medium",
  description:
    "Encryption by default for new EBS volumes was turned off in a region. Volumes and snapshots created from now on may be unencrypted, which also makes them shareable across accounts without a KMS key grant.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["DisableEbsEncryptionByDefault"],
  match: () => true,
  summary: (r, { principal }) => `${actor(principal)} disabled EBS encryption by default in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({ region: r.awsRegion }),
  status: "stable",
  falsePositives: [
    "A region set up by a tool that does not know the account's defaults (rare; the setting is per account and region).",
  ],
  runbook: {
    triage: [
      "Who turned it off, in which region, and were volumes or snapshots created unencrypted since?",
    ],
    contain: [
      "Turn it back on (`aws ec2 enable-ebs-encryption-by-default --region <r>`) and find unencrypted volumes created meanwhile.",
      "Deny `ec2:DisableEbsEncryptionByDefault` with a service control policy.",
    ],
  },
  references: {
    mitre: ["T1562"],
    panther: ["AWS.EC2.EBS.Encryption.Disabled", "AWS.CloudTrail.SecurityConfigurationChange"],
    sigma: ["AWS EC2 Disable EBS Encryption"],
    urls: ["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"],
  },
});
