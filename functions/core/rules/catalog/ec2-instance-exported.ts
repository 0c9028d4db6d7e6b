import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

function what(r: CloudTrailRecord): string {
  return r.eventName === "ExportImage" ? `AMI ${paramString(r, "imageId") ?? "(unnamed)"}` : `instance ${paramString(r, "instanceId") ?? "(unnamed)"}`;
}

function bucket(r: CloudTrailRecord): string | undefined {
  return paramString(r, "exportToS3", "s3Bucket") ?? paramString(r, "s3ExportLocation", "s3Bucket");
}

/**
 * A whole instance or AMI exported as a disk image to S3 (VM Import/Export). The image holds the
 * instance's disks: data, credentials, keys. Few organizations ever export a VM, so every export is
 * worth a look.
 */
export default defineRule({
  id: "ec2.instance-exported",
  title: "EC2 instance or AMI exported to S3",
  severity: "medium",
  description:
    "An EC2 instance or AMI was exported as a virtual machine disk image (VMDK, VHD, raw) to an S3 bucket. The image carries everything on the instance's disks; copied out of the bucket it can be booted or mounted anywhere.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["CreateInstanceExportTask", "ExportImage"],
  match: () => true,
  summary: (r, { principal }) =>
    `${actor(principal)} exported ${what(r)} to S3${bucket(r) ? ` bucket ${bucket(r)}` : ""} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    instanceId: paramString(r, "instanceId"),
    imageId: paramString(r, "imageId"),
    bucket: bucket(r),
    diskImageFormat: paramString(r, "exportToS3", "diskImageFormat") ?? paramString(r, "diskImageFormat"),
  }),
  status: "stable",
  falsePositives: ["A migration off AWS, or a forensic copy made by your incident response team."],
  runbook: {
    triage: [
      "Check the destination bucket: which account owns it, and who can read it (bucket policy, ACL)?",
      "Ask the instance's owner whether an export was planned; what data is on its volumes?",
      "Look for GetObject on the exported image or replication of the bucket afterwards.",
    ],
    contain: [
      "Cancel a running task (CancelExportTask) and delete the exported image from the bucket.",
      "If the image left your control, treat every secret on the instance as exposed and rotate it.",
    ],
  },
  references: {
    mitre: ["T1537"],
    sigma: ["AWS EC2 VM Export Failure"],
    urls: ["https://docs.aws.amazon.com/vm-import/latest/userguide/vmexport.html"],
  },
});
