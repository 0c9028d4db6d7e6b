import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { params } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool, asList, dig, hourOf, isPublicAllow, paramString, policyStatements, stringList } from "../helpers";

const PUBLIC_GROUP = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/i;
const PUBLIC_CANNED = new Set(["public-read", "public-read-write", "authenticated-read"]);
const GRANT_HEADERS = ["x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control"];
const PAB_FLAGS = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];
const ACCOUNT_PAB = new Set(["PutAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"]);

interface Exposure {
  kind: "acl-grant" | "canned-acl" | "bucket-policy" | "public-access-block-deleted" | "public-access-block-weakened";
  scope: "bucket" | "account";
  severity: Severity;
  detail: string;
}

/** Values of a request header CloudTrail logs as a string or a list of strings. */
function header(r: CloudTrailRecord, name: string): string[] {
  const p = params(r);
  const key = Object.keys(p).find((k) => k.toLowerCase() === name);
  return key ? stringList(p[key]) : [];
}

function aclExposure(r: CloudTrailRecord): Exposure | undefined {
  const canned = header(r, "x-amz-acl").find((v) => PUBLIC_CANNED.has(v.toLowerCase()));
  if (canned) return { kind: "canned-acl", scope: "bucket", severity: "critical", detail: `canned ACL ${canned}` };
  for (const h of GRANT_HEADERS) {
    const v = header(r, h).find((x) => PUBLIC_GROUP.test(x));
    if (v) return { kind: "acl-grant", scope: "bucket", severity: "critical", detail: `${h}: ${v}` };
  }
  const grants = asList(dig(r.requestParameters, "AccessControlPolicy", "AccessControlList", "Grant"));
  const open = grants.filter((g) => PUBLIC_GROUP.test(String(dig(g, "Grantee", "URI") ?? "")));
  if (open.length) {
    const detail = open.map((g) => `${String(dig(g, "Permission"))} to ${String(dig(g, "Grantee", "URI")).split("/").pop()}`).join(", ");
    return { kind: "acl-grant", scope: "bucket", severity: "critical", detail: `ACL grants ${detail}` };
  }
  return undefined;
}

function pabExposure(r: CloudTrailRecord): Exposure | undefined {
  const scope = ACCOUNT_PAB.has(r.eventName) ? "account" : "bucket";
  const severity: Severity = scope === "account" ? "high" : "medium";
  if (r.eventName.startsWith("Delete")) {
    return { kind: "public-access-block-deleted", scope, severity, detail: `${scope}-level Block Public Access removed` };
  }
  const cfg = dig(r.requestParameters, "PublicAccessBlockConfiguration");
  if (!cfg || typeof cfg !== "object") return undefined; // not recorded: cannot tell what was set
  // S3 treats an omitted flag as false.
  const off = PAB_FLAGS.filter((f) => asBool((cfg as Record<string, unknown>)[f]) !== true);
  return off.length ? { kind: "public-access-block-weakened", scope, severity, detail: `${scope}-level Block Public Access set with ${off.join(", ")} off` } : undefined;
}

/** How this call exposes a bucket (or every bucket of the account), or undefined. */
export function bucketExposure(r: CloudTrailRecord): Exposure | undefined {
  switch (r.eventName) {
    case "PutBucketAcl":
    case "CreateBucket":
      return aclExposure(r);
    case "PutBucketPolicy": {
      const open = policyStatements(r.requestParameters?.["bucketPolicy"] ?? r.requestParameters?.["policy"]).filter(isPublicAllow);
      if (!open.length) return undefined;
      const actions = [...new Set(open.flatMap((st) => stringList(st.Action ?? st.NotAction)))];
      return { kind: "bucket-policy", scope: "bucket", severity: "critical", detail: `bucket policy allows anyone: ${actions.join(", ") || "(actions not listed)"}` };
    }
    default:
      return pabExposure(r);
  }
}

/**
 * A bucket made public or its protection removed: an ACL granting AllUsers/AuthenticatedUsers (in the
 * AccessControlPolicy body, a canned x-amz-acl, or an x-amz-grant-* header), a bucket policy allowing
 * Principal "*" with no narrowing condition, or S3 Block Public Access deleted or set with a flag off,
 * at bucket or account level. The remediation (restore the bucket's Block Public Access) applies to
 * bucket-level findings; `context.remediable` says so.
 */
export default defineRule({
  id: "s3.bucket-made-public",
  title: "S3 bucket made public or public access block removed",
  severity: "high",
  description:
    "An S3 bucket became readable or writable by anyone (public ACL or bucket policy), or the Block Public Access settings that prevent that were removed or weakened for a bucket or the whole account. Public data is copied within minutes of exposure: check what the bucket holds and restore Block Public Access unless the bucket is a deliberate public website.",
  eventSources: ["s3.amazonaws.com", "s3control.amazonaws.com"],
  eventNames: [
    "PutBucketAcl", "CreateBucket", "PutBucketPolicy", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock",
    ...ACCOUNT_PAB,
  ],
  match: (r) => bucketExposure(r) !== undefined,
  severityFor: (r) => bucketExposure(r)!.severity,
  summary: (r, { principal }) => {
    const e = bucketExposure(r)!;
    const where = e.scope === "account" ? `every bucket of account ${accountOfRecord(r)}` : `bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}`;
    return `${actor(principal)} exposed ${where}: ${e.detail}`;
  },
  context: (r) => {
    const e = bucketExposure(r)!;
    return { bucket: paramString(r, "bucketName"), exposure: e.kind, scope: e.scope, detail: e.detail, remediable: e.scope === "bucket" };
  },
  dedupKey: (r) => `${accountOfRecord(r)}|${paramString(r, "bucketName") ?? "(account)"}|${bucketExposure(r)!.kind}|${hourOf(r)}`,
  remediation: "s3.restore-public-access-block",
  status: "stable",
  falsePositives: [
    "Static websites and public download buckets (document them; keep account-level Block Public Access on elsewhere).",
  ],
  runbook: {
    triage: [
      "What was opened (context: ACL, policy, Block Public Access) and what does the bucket hold?",
      "Were objects read from outside since (S3 server access logs or data events)?",
    ],
    contain: [
      "Restore Block Public Access (`aws s3api put-public-access-block`, or enable the `s3.restore-public-access-block` remediation) and remove public grants.",
    ],
  },
  references: {
    mitre: ["T1530", "T1562"],
    panther: ["AWS.CloudTrail.ResourceMadePublic", "AWS.S3.DeletePublicAccessBlock", "AWS.CloudTrail.SecurityConfigurationChange"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"],
  },
});
