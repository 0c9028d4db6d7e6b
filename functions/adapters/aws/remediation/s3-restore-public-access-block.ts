import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from "@aws-sdk/client-s3";
import type { RemediationResult } from "../../../core/alert/alert";
import type { Finding } from "../../../core/rules/engine";
import { accountOfRecord } from "../../../core/record/schema";
import { at, isTrue, param } from "./record-fields";
import { partitionOfRecord, PlannedRemediator, type Plan, type PlannedCall, type RemediationClients } from "./types";

/** The four Block Public Access settings of a bucket. */
const FLAGS = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const;
const ALL_ON = Object.fromEntries(FLAGS.map((f) => [f, true])) as Record<(typeof FLAGS)[number], true>;
/** Account-wide Block Public Access (S3 Control): not a bucket, and not in this remediation's IAM grant. */
const ACCOUNT_LEVEL = new Set(["PutAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"]);

/**
 * Turns all four S3 Block Public Access settings on for the bucket the event exposed (its Block
 * Public Access deleted or weakened, or a public ACL or policy put on it: with all four on, S3 ignores
 * public ACLs and refuses public access through policies). `ExpectedBucketOwner` is the event's
 * account, so a bucket of the same name owned by someone else is never touched. Account-level
 * settings are skipped with the reason. Apply mode reads the current setting first and skips a
 * bucket that is fully blocked already.
 */
export class RestorePublicAccessBlockRemediator extends PlannedRemediator<Pick<RemediationClients, "s3">> {
  readonly id = "s3.restore-public-access-block" as const;

  plan(f: Finding): Plan {
    const r = f.record;
    if (r.eventSource !== "s3.amazonaws.com" || ACCOUNT_LEVEL.has(r.eventName)) {
      return { skip: `${r.eventName} is not a bucket-level change; only a bucket's Block Public Access is restored automatically` };
    }
    const bucket = param(r, "bucketName");
    if (!bucket) return { skip: `the ${r.eventName} event names no bucket (requestParameters.bucketName is missing)` };
    if (r.eventName === "PutBucketPublicAccessBlock") {
      const cfg = at(r.requestParameters, "PublicAccessBlockConfiguration");
      if (cfg && typeof cfg === "object" && FLAGS.every((k) => isTrue((cfg as Record<string, unknown>)[k]))) {
        return { skip: `the call turned all four Block Public Access settings on for ${bucket}; nothing to restore` };
      }
    }
    const account = accountOfRecord(r);
    const input: Record<string, unknown> = {
      Bucket: bucket,
      PublicAccessBlockConfiguration: { ...ALL_ON },
      ...(/^\d{12}$/.test(account) ? { ExpectedBucketOwner: account } : {}),
    };
    const region = r.awsRegion ?? "us-east-1";
    const read = { Bucket: bucket, ...(input.ExpectedBucketOwner ? { ExpectedBucketOwner: input.ExpectedBucketOwner } : {}) };
    return {
      target: `bucket ${bucket}`,
      targetArns: [`arn:${partitionOfRecord(r)}:s3:::${bucket}`],
      calls: [
        { action: "s3:GetBucketPublicAccessBlock", region, input: read },
        { action: "s3:PutBucketPublicAccessBlock", region, input },
      ],
    };
  }

  protected async execute(_f: Finding, plan: { calls: PlannedCall[]; target: string }): Promise<RemediationResult> {
    const [read, call] = plan.calls as [PlannedCall, PlannedCall];
    const { Bucket, ExpectedBucketOwner } = call.input as { Bucket: string; ExpectedBucketOwner?: string };
    const s3 = await this.clients.s3(call.region);
    const gone = { NoSuchBucket: `bucket ${Bucket} no longer exists; nothing to protect` };
    let found: string;
    try {
      // The re-check: a bucket someone blocked again meanwhile is left alone.
      const cur = await s3.send(new GetPublicAccessBlockCommand({ Bucket, ExpectedBucketOwner }));
      const c = cur.PublicAccessBlockConfiguration;
      if (FLAGS.every((k) => c?.[k] === true)) {
        found = `${plan.target} has all four Block Public Access settings on`;
        return this.result("apply", "skipped", `${plan.target} has all four Block Public Access settings on already; nothing to do`, { found });
      }
      found = `${plan.target} has Block Public Access ${FLAGS.filter((k) => c?.[k] !== true).join(", ")} off`;
    } catch (e) {
      // No configuration at all is the state to fix, not an error.
      if ((e as { name?: string }).name !== "NoSuchPublicAccessBlockConfiguration") return this.failure(e, read, gone);
      found = `${plan.target} has no Block Public Access configuration`;
    }
    try {
      await s3.send(new PutPublicAccessBlockCommand({ Bucket, ExpectedBucketOwner, PublicAccessBlockConfiguration: { ...ALL_ON } }));
    } catch (e) {
      return this.failure(e, call, gone, { found });
    }
    const done = `turned on all four Block Public Access settings for ${plan.target}`;
    return this.result("apply", "succeeded", done, { found, done });
  }
}
