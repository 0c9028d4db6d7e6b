import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString, responseString } from "../helpers";
import { actsByHand, calledByAwsService } from "../caller";

/**
 * Calls that write a machine image out to S3, where it can be downloaded. VM exports (ExportImage,
 * CreateInstanceExportTask) are `ec2.instance-exported`'s.
 */
const EXPORTS = ["CreateStoreImageTask"];
/** Calls that create, copy, import or remove images: routine for image pipelines, notable by hand. */
const CHANGES = ["CreateImage", "CopyImage", "ImportImage", "RegisterImage", "DeregisterImage", "CreateRestoreImageTask", "CreateFpgaImage", "CopyFpgaImage", "DeleteFpgaImage"];

interface ImageAction {
  export: boolean;
  severity: Severity;
}

function imageOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "imageId") ?? paramString(r, "sourceImageId") ?? paramString(r, "instanceId") ?? paramString(r, "fpgaImageId") ??
    paramString(r, "sourceFpgaImageId") ?? responseString(r, "imageId") ?? paramString(r, "name");
}

/**
 * Machine images handled outside the image pipeline. Storing an AMI in S3 (CreateStoreImageTask)
 * hands out a full copy of its disks and is medium whoever does it; creating, copying, importing or deregistering an image by hand (console,
 * IAM user, Identity Center) is low. An image pipeline role doing the same raises nothing, and
 * neither do AWS services (AWS Backup, Data Lifecycle Manager).
 */
export default defineRule<undefined, ImageAction>({
  id: "ec2.image-exported-or-changed",
  title: "AMI stored in S3, or created or removed by hand",
  severity: "low",
  status: "experimental",
  description:
    "An AMI was stored in S3, or a person created, copied, imported or deregistered an image by hand: images carry whole disks.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: [...EXPORTS, ...CHANGES],
  match: (r) => {
    if (calledByAwsService(r)) return null;
    if (EXPORTS.includes(r.eventName)) return { export: true, severity: "medium" };
    return actsByHand(r) ? { export: false, severity: "low" } : null;
  },
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} ${m.export ? "exported" : "called"} ${m.export ? `${imageOf(r) ?? "an image"} to S3 with ${r.eventName}` : `${r.eventName} on ${imageOf(r) ?? "an image"}`} in account ${accountOfRecord(r)}${paramString(r, "bucket") ? ` (bucket ${paramString(r, "bucket")})` : ""}`,
  dedupKey: (r, { principal }, m) => (m.export ? (r.eventID ?? `${principal.id}|${r.eventName}|${r.eventTime}`) : `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${hourOf(r)}`),
  context: (r, _c, m) => ({
    call: r.eventName,
    image: imageOf(r),
    newImageId: responseString(r, "imageId"),
    export: m.export,
    ...(paramString(r, "bucket") ? { bucket: paramString(r, "bucket") } : {}),
    ...(paramString(r, "sourceRegion") ? { sourceRegion: paramString(r, "sourceRegion") } : {}),
  }),
  falsePositives: [
    "Engineers baking or cleaning up AMIs by hand; planned AMI archiving.",
  ],
  runbook: {
    triage: [
      "Which instance or image, and what data is on its volumes?",
      "For a store task: whose bucket received it? For a copy: which region?",
    ],
    contain: [
      "Delete stored images from buckets that should not hold them; deregister unplanned copies; re-register a needed image from its snapshots.",
    ],
  },
  references: {
    mitre: ["T1537", "T1485"],
    stratus: ["aws.impact.ec2-deregister-ami"],
    panther: ["AWS.EC2.Monitoring"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateStoreImageTask.html"],
  },
});
