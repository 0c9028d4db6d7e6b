import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, responseString } from "../helpers";
import { calledByAwsService } from "../caller";

interface Export {
  what: string;
  severity: Severity;
}

/** The region of an RDS ARN (`arn:aws:rds:us-east-1:...`), or undefined. */
function regionOfArn(v: string | undefined): string | undefined {
  const m = v ? /^arn:aws[a-z-]*:rds:([a-z0-9-]+):/.exec(v) : null;
  return m?.[1];
}

function exportOf(r: CloudTrailRecord): Export | undefined {
  if (calledByAwsService(r)) return undefined;
  if (r.eventName === "StartExportTask") {
    const bucket = paramString(r, "s3BucketName") ?? responseString(r, "s3Bucket");
    return { what: `started exporting ${paramString(r, "sourceArn") ?? "a snapshot"} to S3 bucket ${bucket ?? "(unknown)"}`, severity: "high" };
  }
  const source = paramString(r, "sourceDBSnapshotIdentifier") ?? paramString(r, "sourceDBClusterSnapshotIdentifier");
  const from = paramString(r, "sourceRegion") ?? regionOfArn(source);
  if (from && r.awsRegion && from !== r.awsRegion) {
    return { what: `copied snapshot ${source ?? "(unknown)"} from ${from} to ${r.awsRegion}`, severity: "medium" };
  }
  return undefined;
}

/**
 * RDS data leaving its usual place: a snapshot exported to S3 as Parquet (StartExportTask, high:
 * readable files in a bucket) or copied to another region (medium: a region nobody watches is where
 * data is staged). AWS Backup copies are left out.
 */
export default defineRule<undefined, Export>({
  id: "rds.snapshot-exported",
  title: "RDS snapshot exported to S3 or copied to another region",
  severity: "high",
  status: "experimental",
  description:
    "An RDS snapshot was exported to S3 or copied to another region: export turns a database into readable files, a copy moves it where it may not be watched.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["StartExportTask", "CopyDBSnapshot", "CopyDBClusterSnapshot"],
  match: (r) => exportOf(r),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) => `${actor(principal)} ${m.what} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    call: r.eventName,
    source: paramString(r, "sourceArn") ?? paramString(r, "sourceDBSnapshotIdentifier") ?? paramString(r, "sourceDBClusterSnapshotIdentifier"),
    s3Bucket: paramString(r, "s3BucketName") ?? responseString(r, "s3Bucket"),
    s3Prefix: paramString(r, "s3Prefix"),
    exportRole: paramString(r, "iamRoleArn"),
    kmsKeyId: paramString(r, "kmsKeyId"),
    sourceRegion: paramString(r, "sourceRegion"),
    targetRegion: r.awsRegion,
  }),
  falsePositives: [
    "Analytics exports to a data lake; scripted DR copies.",
  ],
  runbook: {
    triage: [
      "Which snapshot, and which bucket or region got it? Is the bucket yours?",
    ],
    contain: [
      "Cancel the export (rds cancel-export-task) and delete exported objects or copies; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1537", "T1530"],
    panther: ["AWS.RDS.SnapshotExport", "AWS.RDS.SnapshotCopiedCrossRegion"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartExportTask.html"],
  },
});
