import type { TerraformStack } from "cdktf";
import { ABORT_INCOMPLETE_UPLOADS, recomputableBucket } from "../../../modules/platform";
import { resourcesOf } from "./synth-resources";

const KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab";

describe("recomputableBucket", () => {
  it("is emptied on destroy, owner-enforced, encrypted with the given key and expires by the given rules", () => {
    // Act
    const build = (s: TerraformStack) => {
      recomputableBucket(s, "work", {
        bucket: "tw-work",
        kmsKeyArn: KEY,
        lifecycle: [{ id: "expire-runs", status: "Enabled", filter: [{ prefix: "runs/" }], expiration: [{ days: 7 }] }, ABORT_INCOMPLETE_UPLOADS],
      });
    };
    // Assess
    expect(resourcesOf("aws_s3_bucket", build)).toEqual({ work: { bucket: "tw-work", force_destroy: true } });
    expect(resourcesOf("aws_s3_bucket_ownership_controls", build)["work-ownership"]).toEqual({ bucket: "${aws_s3_bucket.work.id}", rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(resourcesOf("aws_s3_bucket_server_side_encryption_configuration", build)["work-encryption"].rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY }, bucket_key_enabled: true },
    ]);
    expect(resourcesOf("aws_s3_bucket_lifecycle_configuration", build)["work-lifecycle"].rule.map((r: { id: string }) => r.id)).toEqual(["expire-runs", "abort-incomplete-uploads"]);
  });
});
