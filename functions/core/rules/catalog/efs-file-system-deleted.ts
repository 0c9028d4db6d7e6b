import { defineRule, type SigmaOrigin } from "../rule";
import { accountOfRecord, actor, paramString, sigmaAttribution } from "../helpers";

/** The Sigma rule(s) this rule ports; its alerts name their authors. */
const DERIVED: SigmaOrigin[] = [
  { sigma: "AWS EFS Fileshare Modified or Deleted", author: "Austin Songer @austinsonger" },
  { sigma: "AWS EFS Fileshare Mount Modified or Deleted", author: "Austin Songer @austinsonger" },
];

/**
 * An EFS file system deleted (its data is gone: EFS has no recycle bin), or a mount target removed
 * (the file system becomes unreachable from that subnet, which breaks the applications using it).
 */
export default defineRule({
  id: "efs.file-system-deleted",
  title: "EFS file system or mount target deleted",
  severity: "low",
  description:
    "An EFS file system or mount target was deleted. A deleted file system loses its data unless AWS Backup holds a recovery point; a deleted mount target cuts off that subnet's clients.",
  eventSources: ["elasticfilesystem.amazonaws.com"],
  eventNames: ["DeleteFileSystem", "DeleteMountTarget"],
  match: () => true,
  severityFor: (r) => (r.eventName === "DeleteFileSystem" ? "low" : "info"),
  summary: (r, { principal }) =>
    r.eventName === "DeleteFileSystem"
      ? `${actor(principal)} deleted EFS file system ${paramString(r, "fileSystemId") ?? "(unnamed)"} in account ${accountOfRecord(r)}`
      : `${actor(principal)} deleted EFS mount target ${paramString(r, "mountTargetId") ?? "(unnamed)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    attribution: sigmaAttribution(DERIVED),
    action: r.eventName,
    fileSystemId: paramString(r, "fileSystemId"),
    mountTargetId: paramString(r, "mountTargetId"),
  }),
  status: "stable",
  falsePositives: ["Infrastructure-as-code tearing down test environments; subnet reorganisations that move mount targets."],
  runbook: {
    triage: [
      "Check the caller: your deployment pipeline tearing down a stack, or a person?",
      "Find what used the file system (tags, mount targets, task definitions) and whether it held production data.",
    ],
    contain: [
      "Restore the file system from its latest AWS Backup recovery point; recreate the mount target.",
      "Protect production file systems with AWS Backup vault lock and restrict elasticfilesystem:Delete* to the pipeline.",
    ],
  },
  references: {
    mitre: ["T1485"],
    sigma: ["AWS EFS Fileshare Modified or Deleted", "AWS EFS Fileshare Mount Modified or Deleted"],
    derivedFrom: DERIVED,
    urls: ["https://docs.aws.amazon.com/efs/latest/ug/API_DeleteFileSystem.html"],
  },
});
