import { Annotations, DefaultTokenResolver, StringConcat, TerraformStack, Token, Tokenization, type IAspect } from "cdktf";
import { dependable } from "cdktf/lib/tfExpression";
import type { IConstruct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { policyDocument, type ResourcePolicyStatementSpec } from "../platform/policy-document";

/** Sid of the statement that denies requests not made over TLS. */
export const TLS_ONLY_SID = "DenyInsecureTransport";

/**
 * Guardrails for every S3 bucket of the stack, applied once when the aspect visits the stack (it
 * needs the whole tree to find each bucket's companions):
 * - a public access block with all four settings on (created when missing; one with a setting off fails synth);
 * - default encryption (SSE-S3 `AES256` when the bucket has none: every reader can still read it,
 *   whereas a key would silently break readers without `kms:Decrypt`; constructs that want SSE-KMS
 *   declare their own configuration, which is kept);
 * - a bucket policy that denies any request without TLS. A bucket that already has a policy (e.g. a
 *   CloudTrail bucket policy) gets the statement merged into that policy (a bucket holds one policy:
 *   a second `aws_s3_bucket_policy` would overwrite the first).
 */
export class S3GuardrailsAspect implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const stack = node;
    const all = stack.node.findAll();
    const of = <T>(cls: abstract new (...a: never[]) => T): T[] => all.filter((c): c is T & IConstruct => c instanceof (cls as never));
    const docs = of(DataAwsIamPolicyDocument);
    const policies = of(S3BucketPolicy);
    const blocks = of(S3BucketPublicAccessBlock);
    const sses = of(S3BucketServerSideEncryptionConfigurationA);

    for (const bucket of of(S3Bucket)) {
      const refs = bucketRefs(stack, bucket);
      const targets = (r: { bucketInput?: string }): boolean => refs.has(String(resolveIn(stack, r.bucketInput)));
      const provider = bucket.provider;

      if (bucket.policyInput !== undefined) {
        Annotations.of(bucket).addError(
          `S3 bucket ${bucket.node.path} sets an inline policy: use an aws_s3_bucket_policy (S3BucketPolicy) instead, so the TLS-only statement can be merged into it.`,
        );
      }

      // Public access block.
      const pabs = blocks.filter(targets);
      let pab: S3BucketPublicAccessBlock | undefined;
      if (pabs.length === 0) {
        pab = new S3BucketPublicAccessBlock(bucket, "public-access-block", {
          provider,
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });
      } else {
        for (const b of pabs) {
          const off = (
            [
              ["blockPublicAcls", b.blockPublicAclsInput],
              ["blockPublicPolicy", b.blockPublicPolicyInput],
              ["ignorePublicAcls", b.ignorePublicAclsInput],
              ["restrictPublicBuckets", b.restrictPublicBucketsInput],
            ] as const
          ).filter(([, v]) => v !== true).map(([k]) => k);
          if (off.length > 0) {
            Annotations.of(b).addError(`Public access block ${b.node.path} of bucket ${bucket.node.path} must set ${off.join(", ")} to true (trailwatch buckets are never public).`);
          }
        }
      }

      // Default encryption.
      if (bucket.serverSideEncryptionConfigurationInput === undefined && !sses.some(targets)) {
        new S3BucketServerSideEncryptionConfigurationA(bucket, "encryption", {
          provider,
          bucket: bucket.id,
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
      }

      // TLS-only bucket policy, merged into an existing policy.
      const tlsOnly: ResourcePolicyStatementSpec = {
        sid: TLS_ONLY_SID,
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["s3:*"],
        resources: [bucket.arn, `${bucket.arn}/*`],
        conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      };
      const existing = policies.filter(targets);
      if (existing.length > 1) {
        Annotations.of(bucket).addError(
          `S3 bucket ${bucket.node.path} has ${existing.length} bucket policies (${existing.map((p) => p.node.path).join(", ")}); a bucket holds one policy, so each overwrites the other: merge them into one.`,
        );
        continue;
      }
      if (existing.length === 0) {
        const doc = policyDocument(bucket, "tls-only-policy-document", [tlsOnly], { provider });
        new S3BucketPolicy(bucket, "tls-only-policy", {
          provider,
          bucket: bucket.id,
          policy: doc.json,
          dependsOn: pab ? [pab] : undefined,
        });
        continue;
      }
      const policy = existing[0]!;
      if (pab) policy.dependsOn = [...(policy.dependsOn ?? []), dependable(pab)];
      if (deniesInsecureTransport(stack, policy, docs)) continue;
      const merged = policyDocument(policy, "with-tls-only", [tlsOnly], { provider, sourcePolicyDocuments: [policy.policyInput!] });
      policy.policy = merged.json;
    }
  }
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** A token as it will appear in the synthesized JSON, e.g. `${aws_s3_bucket.logs.id}`. */
function resolveIn(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

/** The values a companion resource's `bucket` argument may resolve to for this bucket. */
function bucketRefs(stack: TerraformStack, bucket: S3Bucket): Set<string> {
  const refs = new Set<string>([String(resolveIn(stack, bucket.id)), String(resolveIn(stack, bucket.bucket))]);
  const name = bucket.bucketInput;
  if (name !== undefined && !Token.isUnresolved(name)) refs.add(name);
  return refs;
}

/** Whether an existing bucket policy already denies requests with aws:SecureTransport false. */
function deniesInsecureTransport(stack: TerraformStack, policy: S3BucketPolicy, docs: DataAwsIamPolicyDocument[]): boolean {
  const text = String(resolveIn(stack, policy.policyInput));
  if (!Token.isUnresolved(policy.policyInput ?? "") && text.includes("aws:SecureTransport")) return true;
  const doc = docs.find((d) => String(resolveIn(stack, d.json)) === text);
  const statements = doc?.statementInput;
  if (!Array.isArray(statements)) return false;
  return statements.some(
    (s) => s.effect === "Deny" && Array.isArray(s.condition) && s.condition.some((c) => c.variable === "aws:SecureTransport" && c.values.includes("false")),
  );
}
