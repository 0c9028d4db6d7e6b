import type { CloudTrailRecord } from "../../record/schema";
import { dig, paramString } from "../helpers";
import { ec2PermissionGrantees, sharedOutsideRule, type Grantees } from "../shared-outside";

/** Who the call adds to the snapshot's create-volume permission: "all" (public) and account ids. */
function snapshotGrantees(r: CloudTrailRecord): Grantees | undefined {
  const type = String(dig(r.requestParameters, "attributeType") ?? "").toUpperCase();
  return !type || type === "CREATE_VOLUME_PERMISSION" ? ec2PermissionGrantees(r, "createVolumePermission") : undefined;
}

/**
 * An EBS snapshot shared publicly or with an untrusted account (ModifySnapshotAttribute adding
 * create-volume permission). Whoever it is shared with can copy the disk and read every file on it:
 * the Stratus "ec2-share-ebs-snapshot" exfiltration.
 */
export default sharedOutsideRule({
  id: "ec2.snapshot-shared",
  title: "EBS snapshot shared outside the account",
  severity: "high",
  description:
    "An EBS snapshot was made public or shared with another AWS account that is not listed as trusted. The receiving account can create a volume from it and read all its data. Remove the permission and find out what the snapshot contained.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["ModifySnapshotAttribute"],
  resource: "EBS snapshot",
  idField: "snapshotId",
  resourceId: (r) => paramString(r, "snapshotId"),
  grantees: snapshotGrantees,
  status: "stable",
  falsePositives: [
    "Sharing snapshots with the organization's backup or disaster-recovery account (list it in `trustedAccounts`).",
  ],
  runbook: {
    triage: [
      "Which account got it, was it public, and what volume did the snapshot come from?",
      "Did the receiving account copy it already (SharedSnapshotCopyInitiated events in the receiver's trail)?",
    ],
    contain: [
      "Remove the permission (`aws ec2 modify-snapshot-attribute --create-volume-permission Remove=...`) and treat the data as exposed.",
      "Turn on snapshot block public access for the region.",
    ],
  },
  references: {
    mitre: ["T1537"],
    stratus: ["aws.exfiltration.ec2-share-ebs-snapshot"],
    panther: ["AWS.CloudTrail.SnapshotMadePublic"],
    sigma: ["AWS Snapshot Backup Exfiltration"],
    urls: ["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html"],
  },
});
