import type { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";

export interface RecomputableBucketProps {
  /** The bucket name (at most 63 characters). */
  bucket: string;
  /** The KMS key every object is encrypted with (the platform key). */
  kmsKeyArn: string;
  /** Its lifecycle: what expires after how long (see {@link ABORT_INCOMPLETE_UPLOADS}). */
  lifecycle: S3BucketLifecycleConfigurationRule[];
}

/** The lifecycle rule that clears multipart uploads a crashed run left behind, after a day. */
export const ABORT_INCOMPLETE_UPLOADS: S3BucketLifecycleConfigurationRule = {
  id: "abort-incomplete-uploads",
  status: "Enabled",
  filter: [{ prefix: "" }],
  abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
};

/**
 * A bucket a capability keeps its own working files in (run files, query results, hunt results),
 * all recomputable from the CloudTrail logs: owner-enforced (no ACLs), KMS-encrypted with a bucket
 * key, expiring by `lifecycle`, and emptied on destroy (`forceDestroy`) instead of failing with
 * BucketNotEmpty.
 */
export function recomputableBucket(scope: Construct, id: string, props: RecomputableBucketProps): S3Bucket {
  const bucket = new S3Bucket(scope, id, { bucket: props.bucket, forceDestroy: true });
  new S3BucketOwnershipControls(scope, `${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-encryption`, {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }],
  });
  new S3BucketLifecycleConfiguration(scope, `${id}-lifecycle`, { bucket: bucket.id, rule: props.lifecycle });
  return bucket;
}
