import { xmlText } from "./signed-http";

/**
 * S3 Block Public Access on one bucket (GetPublicAccessBlock, PutPublicAccessBlock), with the field
 * names of the SDK's commands so code written for the S3 client reads the same.
 */

/** The four settings, in the order S3's schema (and the SDK) writes them. */
export const PUBLIC_ACCESS_BLOCK_FLAGS = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const;

export type PublicAccessBlockFlag = (typeof PUBLIC_ACCESS_BLOCK_FLAGS)[number];

/** A bucket's Block Public Access settings; a setting S3 did not send (or a put leaves out) is undefined. */
export type PublicAccessBlockConfiguration = Partial<Record<PublicAccessBlockFlag, boolean>>;

/** Which bucket; `ExpectedBucketOwner` (an account id) makes S3 refuse with 403 AccessDenied when someone else owns it. */
export interface PublicAccessBlockTarget {
  Bucket: string;
  ExpectedBucketOwner?: string;
}

/** The Block Public Access calls the S3 remediation makes (implemented by `S3HttpClient`). */
export interface S3PublicAccessBlocks {
  /** The bucket's settings; throws S3's error, e.g. 404 `NoSuchPublicAccessBlockConfiguration` when it has none, `NoSuchBucket`. */
  getPublicAccessBlock(input: PublicAccessBlockTarget): Promise<{ PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }>;
  /** Replaces the bucket's settings (S3 stores a setting left out as false). */
  putPublicAccessBlock(input: PublicAccessBlockTarget & { PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }): Promise<void>;
}

const NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/** The PutPublicAccessBlock request body, byte for byte what the SDK sends: the settings given, in schema order. */
export function publicAccessBlockXml(cfg: PublicAccessBlockConfiguration): string {
  const flags = PUBLIC_ACCESS_BLOCK_FLAGS.filter((f) => cfg[f] !== undefined)
    .map((f) => `<${f}>${cfg[f] ? "true" : "false"}</${f}>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?><PublicAccessBlockConfiguration xmlns="${NAMESPACE}">${flags}</PublicAccessBlockConfiguration>`;
}

/** The settings of a GetPublicAccessBlock answer; throws, quoting the answer, when it is not one. */
export function parsePublicAccessBlock(xml: string): PublicAccessBlockConfiguration {
  if (!/<PublicAccessBlockConfiguration[\s>]/.test(xml)) {
    throw new Error(`GetPublicAccessBlock answered without a PublicAccessBlockConfiguration: ${xml.slice(0, 200)}`);
  }
  const out: PublicAccessBlockConfiguration = {};
  for (const f of PUBLIC_ACCESS_BLOCK_FLAGS) {
    const v = xmlText(xml, f)?.trim();
    if (v === undefined) continue;
    if (v !== "true" && v !== "false") throw new Error(`GetPublicAccessBlock answered ${f}="${v}"; expected true or false`);
    out[f] = v === "true";
  }
  return out;
}
