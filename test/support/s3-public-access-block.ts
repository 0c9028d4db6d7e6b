import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { PUBLIC_ACCESS_BLOCK_FLAGS, type PublicAccessBlockFlag } from "../../functions/adapters/aws/s3-public-access-block";
import type { ReceivedRequest } from "./sigv4-verifier";

/** A bucket's stored Block Public Access settings: S3 keeps all four (a setting a PUT leaves out is false). */
export type StoredPublicAccessBlock = Record<PublicAccessBlockFlag, boolean>;

/** An answer to send back. */
export interface S3Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** True for a request on a bucket's `?publicAccessBlock` subresource (S3 names subresources with an empty query parameter). */
export function isPublicAccessBlockRequest(url: string): boolean {
  return new URL(url, "http://local").searchParams.has("publicAccessBlock");
}

/** The bucket a path-style request names (its first path segment), or undefined for `/`. */
export function bucketOf(url: string): string | undefined {
  const segment = new URL(url, "http://local").pathname.split("/")[1];
  return segment ? decodeURIComponent(segment) : undefined;
}

/** An S3 XML error document (`extra`: further elements, e.g. BucketName). */
export function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}, requestId = "LOCAL"): S3Answer {
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join("");
  return {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
    body: `${XML_DECLARATION}\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>${requestId}</RequestId></Error>`,
  };
}

/**
 * Answers GetPublicAccessBlock, PutPublicAccessBlock and DeletePublicAccessBlock on one bucket from
 * `blocks`, as S3 does (s3rver has no Block Public Access API): 404 NoSuchBucket for a bucket that
 * does not exist, 404 NoSuchPublicAccessBlockConfiguration for one without settings. A PUT must
 * carry a checksum of its body (Content-MD5, or x-amz-checksum-crc32 as newer SDKs send) that
 * matches it, and a body that validates against S3's schema (four optional true/false elements).
 * The caller has checked the signature and the expected owner already.
 */
export function answerPublicAccessBlock(req: ReceivedRequest, blocks: Map<string, StoredPublicAccessBlock>, bucketExists: boolean): S3Answer {
  const bucket = bucketOf(req.url);
  if (!bucket || !bucketExists) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucket ? { BucketName: bucket } : {});
  if (req.method === "GET") {
    const stored = blocks.get(bucket);
    if (!stored) return s3Error(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", { BucketName: bucket });
    const flags = PUBLIC_ACCESS_BLOCK_FLAGS.map((f) => `<${f}>${stored[f]}</${f}>`).join("");
    return { status: 200, headers: { "content-type": "application/xml" }, body: `${XML_DECLARATION}\n<PublicAccessBlockConfiguration xmlns="${NAMESPACE}">${flags}</PublicAccessBlockConfiguration>` };
  }
  if (req.method === "DELETE") {
    blocks.delete(bucket);
    return { status: 204, headers: {}, body: "" };
  }
  if (req.method !== "PUT") return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", { Method: req.method, ResourceType: "BUCKET" });
  const problem = checksumProblem(req);
  if (problem) return problem;
  const parsed = parseConfiguration(req.body.toString("utf8"));
  if (!parsed) return s3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
  blocks.set(bucket, parsed);
  return { status: 200, headers: {}, body: "" };
}

function header(req: ReceivedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** S3's answer to a missing or wrong body checksum, or undefined when the body is what the sender checksummed. */
function checksumProblem(req: ReceivedRequest): S3Answer | undefined {
  const md5 = header(req, "content-md5");
  const crc = header(req, "x-amz-checksum-crc32");
  if (md5 === undefined && crc === undefined) return s3Error(400, "InvalidRequest", "Missing required header for this request: Content-MD5");
  if (md5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) return s3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    if (md5 !== createHash("md5").update(req.body).digest("base64")) return s3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
  }
  if (crc !== undefined) {
    const actual = Buffer.alloc(4);
    actual.writeUInt32BE(crc32(req.body));
    if (crc !== actual.toString("base64")) return s3Error(400, "BadDigest", "The CRC32 you specified did not match the calculated checksum.");
  }
  return undefined;
}

/** The settings of a PutPublicAccessBlock body, or undefined when it does not validate (unknown or repeated elements, values other than true/false). */
function parseConfiguration(xml: string): StoredPublicAccessBlock | undefined {
  const root = /^\s*(?:<\?xml[^>]*\?>)?\s*<PublicAccessBlockConfiguration(?:\s+xmlns="([^"]*)")?\s*>([\s\S]*)<\/PublicAccessBlockConfiguration>\s*$/.exec(xml);
  if (!root || (root[1] !== undefined && root[1] !== NAMESPACE)) return undefined;
  const out: StoredPublicAccessBlock = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
  const seen = new Set<string>();
  let rest = root[2]!;
  for (;;) {
    rest = rest.trimStart();
    if (!rest) return out;
    const el = /^<(\w+)>\s*(true|false)\s*<\/\1>/.exec(rest);
    if (!el || !(PUBLIC_ACCESS_BLOCK_FLAGS as readonly string[]).includes(el[1]!) || seen.has(el[1]!)) return undefined;
    seen.add(el[1]!);
    out[el[1] as PublicAccessBlockFlag] = el[2] === "true";
    rest = rest.slice(el[0].length);
  }
}
