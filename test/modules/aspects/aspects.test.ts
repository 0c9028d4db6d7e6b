import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, AnnotationMetadataEntryType, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Platform, policyDocument } from "../../../modules/platform";
import { applyPlatformAspects, TLS_ONLY_SID } from "../../../modules/aspects";

const ACCOUNT = "111122223333";

/** A stack with a provider, the Platform and the aspects; `build` adds the resources under test. */
function stackWith(build: (stack: TerraformStack) => void, providerTags?: Record<string, string>): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1", defaultTags: providerTags ? [{ tags: providerTags }] : undefined });
  new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: "eu-west-1", logRetentionDays: 90, tags: { project: "trailwatch", owner: "sec" } });
  applyPlatformAspects(stack);
  build(stack);
  return stack;
}
function synth(build: (stack: TerraformStack) => void, providerTags?: Record<string, string>): any {
  return JSON.parse(Testing.synth(stackWith(build, providerTags)));
}
/** The error annotations the aspects leave after synth. */
function errorsOf(build: (stack: TerraformStack) => void): string[] {
  const stack = stackWith(build);
  Testing.synth(stack);
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === (AnnotationMetadataEntryType.ERROR as string)).map((m) => String(m.data)));
}
const values = (o: Record<string, any> | undefined): any[] => Object.values(o ?? {});

describe("tags", () => {
  it("are set as default_tags on every AWS provider, keeping tags the provider already had", () => {
    // Act
    const tf = synth((s) => void new AwsProvider(s, "west", { region: "us-west-2", alias: "west" }), { owner: "platform-team" });
    // Assess
    const providers = tf.provider.aws as any[];
    expect(providers).toHaveLength(2);
    expect(providers.find((p) => !p.alias).default_tags).toEqual([{ tags: { project: "trailwatch", owner: "platform-team" } }]);
    expect(providers.find((p) => p.alias === "west").default_tags).toEqual([{ tags: { project: "trailwatch", owner: "sec" } }]);
  });
});

describe("log retention", () => {
  it("gives log groups without retention the platform's, and a key, but keeps an explicit retention", () => {
    // Act
    const tf = synth((s) => {
      new CloudwatchLogGroup(s, "bare", { name: "/x/bare" });
      new CloudwatchLogGroup(s, "never", { name: "/x/never", retentionInDays: 0 });
      new CloudwatchLogGroup(s, "short", { name: "/x/short", retentionInDays: 7 });
    });
    // Assess
    const byName = Object.fromEntries(values(tf.resource.aws_cloudwatch_log_group).map((g) => [g.name, g]));
    expect(byName["/x/bare"]).toMatchObject({ retention_in_days: 90, kms_key_id: expect.stringContaining("aws_kms_key.platform_key") });
    expect(byName["/x/never"].retention_in_days).toBe(90);
    expect(byName["/x/short"].retention_in_days).toBe(7);
  });
});

describe("encryption at rest", () => {
  it("encrypts topics, queues and tables that say nothing with the platform key", () => {
    // Act
    const tf = synth((s) => {
      new SnsTopic(s, "topic", { name: "t" });
      new SqsQueue(s, "queue", { name: "q" });
      new SqsQueue(s, "managed", { name: "m", sqsManagedSseEnabled: true });
      new DynamodbTable(s, "table", { name: "d", hashKey: "pk", attribute: [{ name: "pk", type: "S" }], billingMode: "PAY_PER_REQUEST" });
    });
    // Assess
    const key = expect.stringContaining("aws_kms_key.platform_key");
    expect(values(tf.resource.aws_sns_topic)[0].kms_master_key_id).toEqual(key);
    const queues = Object.fromEntries(values(tf.resource.aws_sqs_queue).map((q) => [q.name, q]));
    expect(queues.q.kms_master_key_id).toEqual(key);
    expect(queues.m).toMatchObject({ sqs_managed_sse_enabled: true });
    expect(queues.m.kms_master_key_id).toBeUndefined();
    expect(values(tf.resource.aws_dynamodb_table)[0].server_side_encryption).toEqual({ enabled: true, kms_key_arn: key });
  });

  it("fails synth when a queue or table turns encryption off", () => {
    // Act
    const errors = errorsOf((s) => {
      new SqsQueue(s, "plain", { name: "p", sqsManagedSseEnabled: false });
      new DynamodbTable(s, "table", { name: "d", hashKey: "pk", attribute: [{ name: "pk", type: "S" }], serverSideEncryption: { enabled: false } });
    });
    // Assess
    expect(errors).toEqual([
      expect.stringMatching(/SQS queue s\/plain disables encryption \(sqsManagedSseEnabled: false\): remove it/),
      expect.stringMatching(/DynamoDB table s\/table sets serverSideEncryption.enabled false/),
    ]);
  });
});

describe("S3 guardrails", () => {
  it("give a bare bucket a full public access block, default encryption and a TLS-only policy", () => {
    // Act
    const tf = synth((s) => void new S3Bucket(s, "bucket", { bucket: "tw-bucket" }));
    // Assess
    const [bucketKey] = Object.keys(tf.resource.aws_s3_bucket);
    const ref = `\${aws_s3_bucket.${bucketKey}.id}`;
    expect(values(tf.resource.aws_s3_bucket_public_access_block)).toEqual([
      expect.objectContaining({ bucket: ref, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
    ]);
    expect(values(tf.resource.aws_s3_bucket_server_side_encryption_configuration)[0]).toMatchObject({
      bucket: ref,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    const policies = values(tf.resource.aws_s3_bucket_policy);
    expect(policies).toHaveLength(1);
    expect(policies[0].depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
    const doc = values(tf.data.aws_iam_policy_document).find((d) => d.statement?.some((st: any) => st.sid === TLS_ONLY_SID));
    expect(doc.statement).toEqual([
      {
        sid: TLS_ONLY_SID,
        effect: "Deny",
        actions: ["s3:*"],
        principals: [{ type: "*", identifiers: ["*"] }],
        resources: [`\${aws_s3_bucket.${bucketKey}.arn}`, `\${aws_s3_bucket.${bucketKey}.arn}/*`],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
  });

  it("merge the TLS-only statement into a bucket's existing policy instead of adding a second one", () => {
    // Act
    const tf = synth((s) => {
      const bucket = new S3Bucket(s, "trail-bucket", { bucket: "tw-trail" });
      const cloudtrail = policyDocument(s, "cloudtrail-doc", [
        { sid: "CloudTrailWrites", principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }], actions: ["s3:PutObject"], resources: [`${bucket.arn}/AWSLogs/*`], conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] }] },
      ]);
      new S3BucketPolicy(s, "cloudtrail-policy", { bucket: bucket.id, policy: cloudtrail.json });
    });
    // Assess
    const policies = values(tf.resource.aws_s3_bucket_policy);
    expect(policies).toHaveLength(1);
    const mergedKey = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policies[0].policy)![1]!;
    const merged = tf.data.aws_iam_policy_document[mergedKey];
    const originalKey = Object.keys(tf.data.aws_iam_policy_document).find((k) => k.startsWith("cloudtrail-doc"))!;
    expect(merged.source_policy_documents).toEqual([`\${data.aws_iam_policy_document.${originalKey}.json}`]);
    expect(merged.statement.map((st: any) => st.sid)).toEqual([TLS_ONLY_SID]);
    expect(policies[0].depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
  });

  it("leave a policy that already denies insecure transport as it is", () => {
    // Act
    const tf = synth((s) => {
      const bucket = new S3Bucket(s, "bucket", { bucket: "tw-b" });
      const doc = policyDocument(s, "own", [
        { sid: "OwnTls", effect: "Deny", principals: [{ type: "*", identifiers: ["*"] }], actions: ["s3:*"], resources: [bucket.arn], conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] },
      ]);
      new S3BucketPolicy(s, "policy", { bucket: bucket.bucket, policy: doc.json });
    });
    // Assess
    expect(values(tf.resource.aws_s3_bucket_policy)[0].policy).toMatch(/^\$\{data\.aws_iam_policy_document\.own(_\w+)?\.json\}$/);
    expect(Object.keys(tf.data.aws_iam_policy_document).some((k) => k.includes("with-tls-only"))).toBe(false);
  });

  it("fail synth on a public access block with a setting off, and on two policies for one bucket", () => {
    // Act
    const errors = errorsOf((s) => {
      const a = new S3Bucket(s, "a", { bucket: "tw-a" });
      new S3BucketPublicAccessBlock(s, "a-pab", { bucket: a.id, blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true });
      const b = new S3Bucket(s, "b", { bucket: "tw-b" });
      new S3BucketPolicy(s, "b1", { bucket: b.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) });
      new S3BucketPolicy(s, "b2", { bucket: "tw-b", policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) });
    });
    // Assess
    expect(errors).toEqual(
      expect.arrayContaining([
        "Public access block s/a-pab of bucket s/a must set blockPublicPolicy to true (trailwatch buckets are never public).",
        expect.stringMatching(/^S3 bucket s\/b has 2 bucket policies \(s\/b1, s\/b2\); a bucket holds one policy/),
      ]),
    );
  });
});

describe("policy checks", () => {
  it("fail synth on wildcard actions, NotAction, unscoped resources and anyone-allowed statements", () => {
    // Act
    const errors = errorsOf((s) => {
      policyDocument(s, "bad", [
        { sid: "All", actions: ["*"], resources: ["arn:aws:s3:::b"] },
        { sid: "AllS3", actions: ["s3:*"], resources: ["arn:aws:s3:::b"] },
        { sid: "Unscoped", actions: ["s3:GetObject", "xray:PutTraceSegments"], resources: ["*"] },
        { sid: "Fine", actions: ["ec2:DescribeSecurityGroupRules"], resources: ["*"] },
      ]);
      policyDocument(s, "public", [{ sid: "Anyone", principals: [{ type: "AWS", identifiers: ["*"] }], actions: ["sns:Publish"], resources: ["arn:aws:sns:eu-west-1:111122223333:t"] }]);
    });
    // Assess
    expect(errors).toEqual([
      "s/bad statement All allows wildcard actions (*): list the actions it needs.",
      "s/bad statement AllS3 allows wildcard actions (s3:*): list the actions it needs.",
      's/bad statement Unscoped allows s3:GetObject on Resource "*": name the resources (only actions without a resource type may use "*").',
      's/public statement Anyone allows anyone ("*") without a condition.',
    ]);
  });

  it("accept the platform key policy (account root with kms:*) and Deny statements with s3:*", () => {
    // Act
    const errors = errorsOf((s) => void new S3Bucket(s, "bucket", { bucket: "tw-ok" }));
    // Assess
    expect(errors).toEqual([]);
  });

  it("check literal JSON policies, managed policy attachments and the Lambda runtime", () => {
    // Act
    const errors = errorsOf((s) => {
      const role = new IamRole(s, "role", { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] });
      new IamRolePolicy(s, "inline", { role: role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] }) });
      new IamRolePolicyAttachment(s, "admin", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
      new LambdaFunction(s, "old", { functionName: "old", role: role.arn, runtime: "nodejs20.x", handler: "index.handler", filename: "x.zip" });
    });
    // Assess
    expect(errors).toEqual(
      expect.arrayContaining([
        "Role s/role attaches managed policies (arn:aws:iam::aws:policy/ReadOnlyAccess): grant explicit, resource-scoped statements instead.",
        "s/inline statement 0 allows wildcard actions (iam:*): list the actions it needs.",
        's/inline statement 0 allows iam:* on Resource "*": name the resources (only actions without a resource type may use "*").',
        "s/admin attaches the AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess: grant explicit, resource-scoped statements instead.",
        "Lambda s/old uses runtime nodejs20.x: trailwatch deploys nodejs22.x only (use NodeFunction).",
      ]),
    );
  });

  it("make app.synth() fail with every violation listed", () => {
    // Prepare
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "tw-aspects-")) });
    const stack = new TerraformStack(app, "s");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: "eu-west-1", logRetentionDays: 90 });
    applyPlatformAspects(stack);
    policyDocument(stack, "bad", [{ sid: "All", actions: ["*"], resources: ["arn:aws:s3:::b"] }]);
    // Act / Assess
    expect(() => app.synth()).toThrow(/\[s\/bad\] s\/bad statement All allows wildcard actions \(\*\)/);
  });
});
