import { defineRule, type SigmaOrigin } from "../rule";
import { accountOfRecord, actor, paramString, sigmaAttribution } from "../helpers";

/** The Sigma rule(s) this rule ports; its alerts name their authors. */
const DERIVED: SigmaOrigin[] = [
  { sigma: "AWS EKS Cluster Created or Deleted", author: "Austin Songer" },
];

/**
 * An EKS cluster created or deleted. Creation is info (a new control plane, often with broad node
 * roles, worth knowing of); deletion is low (everything running on it stops).
 */
export default defineRule({
  id: "eks.cluster-created-or-deleted",
  title: "EKS cluster created or deleted",
  severity: "info",
  description:
    "An Amazon EKS cluster was created or deleted. A cluster nobody planned can run workloads (often miners) with the permissions of its node and pod roles; a deleted cluster takes down everything scheduled on it.",
  eventSources: ["eks.amazonaws.com"],
  eventNames: ["CreateCluster", "DeleteCluster"],
  match: () => true,
  severityFor: (r) => (r.eventName === "DeleteCluster" ? "low" : "info"),
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.eventName === "CreateCluster" ? "created" : "deleted"} EKS cluster ${paramString(r, "name") ?? "(unnamed)"} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  context: (r) => ({
    attribution: sigmaAttribution(DERIVED),
    action: r.eventName,
    cluster: paramString(r, "name"),
    roleArn: paramString(r, "roleArn"),
    version: paramString(r, "version"),
  }),
  status: "stable",
  falsePositives: ["Platform teams creating and deleting clusters through infrastructure as code (blue/green cluster upgrades)."],
  runbook: {
    triage: [
      "Check the caller and region against your platform team's clusters and pipelines.",
      "For a new cluster: its cluster role, public endpoint settings and access entries; for a deleted one: what ran on it.",
    ],
    contain: [
      "Delete a cluster that is not yours (after saving its configuration and logs); restrict eks:CreateCluster to the platform pipeline.",
      "Recreate a deleted production cluster from its infrastructure code and restore workloads from their manifests and backups.",
    ],
  },
  references: {
    mitre: ["T1578", "T1485"],
    sigma: ["AWS EKS Cluster Created or Deleted"],
    derivedFrom: DERIVED,
    urls: ["https://docs.aws.amazon.com/eks/latest/APIReference/API_DeleteCluster.html"],
  },
});
