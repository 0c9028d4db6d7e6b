import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { endpointFromEnv, s3Endpoint, s3KeyPath, type EndpointOverride } from "./aws-endpoint";
import {
  parsePublicAccessBlock,
  publicAccessBlockXml,
  type PublicAccessBlockConfiguration,
  type PublicAccessBlockTarget,
  type S3PublicAccessBlocks,
} from "./s3-public-access-block";
import { EMPTY_PAYLOAD_SHA256, readBody, SignedHttpClient, xmlText, xmlUnescape, type SignedHttpOptions } from "./signed-http";

/** Settings of {@link S3HttpClient}: those of an SDK S3 client that it honours. */
export interface S3HttpOptions extends SignedHttpOptions, EndpointOverride {
  /** Always path-style (`/bucket/key`), e.g. for s3rver. */
  forcePathStyle?: boolean;
}

/** An object GetObject returned; `body` streams it and must be read or destroyed. */
export interface S3ObjectBody {
  body: Readable;
  /** As S3 sends it, quotes included. */
  etag?: string;
  versionId?: string;
  contentLength?: number;
}

/** The S3 read the log analyzer needs (implemented by {@link S3HttpClient}). */
export interface S3ObjectReader {
  getObject(o: { bucket: string; key: string; versionId?: string }): Promise<S3ObjectBody>;
}

/** The S3 listing region discovery needs (implemented by {@link S3HttpClient}). */
export interface S3PrefixLister {
  listCommonPrefixes(o: { bucket: string; prefix: string; delimiter?: string; pageSize?: number }): Promise<string[]>;
}

/**
 * The S3 calls trailwatch's Lambda functions make (GetObject, ListObjectsV2 with a delimiter, and
 * Get/PutPublicAccessBlock for the remediator) over {@link SignedHttpClient} instead of the S3 SDK
 * client. Errors are `AwsHttpError`s named with S3's code (`NoSuchKey`, `AccessDenied`, `SlowDown`).
 */
export class S3HttpClient implements S3ObjectReader, S3PrefixLister, S3PublicAccessBlocks {
  private readonly http: SignedHttpClient;

  private readonly opts: S3HttpOptions;

  /** Without `endpoint`, `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` apply as for SDK clients. */
  constructor(opts: S3HttpOptions) {
    const endpoint = opts.endpoint ?? endpointFromEnv("S3");
    this.opts = { ...opts, ...(endpoint ? { endpoint } : {}) };
    this.http = new SignedHttpClient({ ...this.opts, service: "s3", uriEscapePath: false });
  }

  /** GetObject (a given version when `versionId` is set); throws the S3 error otherwise. */
  async getObject(o: { bucket: string; key: string; versionId?: string }): Promise<S3ObjectBody> {
    const res = await this.http.send({
      method: "GET",
      endpoint: s3Endpoint(o.bucket, this.opts.region, this.opts),
      path: `/${s3KeyPath(o.key)}`,
      query: o.versionId ? { versionId: o.versionId } : {},
      headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
    });
    const h = res.headers;
    const length = h["content-length"] !== undefined ? Number(h["content-length"]) : undefined;
    return {
      body: res.body,
      ...(h.etag ? { etag: h.etag } : {}),
      ...(h["x-amz-version-id"] && h["x-amz-version-id"] !== "null" ? { versionId: h["x-amz-version-id"] } : {}),
      ...(length !== undefined && Number.isFinite(length) ? { contentLength: length } : {}),
    };
  }

  /**
   * Every common prefix under `prefix` (ListObjectsV2 with a delimiter, all pages), decoded.
   * `pageSize` is S3's `max-keys` (default and maximum 1,000).
   */
  async listCommonPrefixes(o: { bucket: string; prefix: string; delimiter?: string; pageSize?: number }): Promise<string[]> {
    const endpoint = s3Endpoint(o.bucket, this.opts.region, this.opts);
    const out = new Set<string>();
    let token: string | undefined;
    do {
      const res = await this.http.send({
        method: "GET",
        endpoint,
        // The bucket is the host (virtual-hosted) or already in the base path (path-style).
        path: endpoint.basePath ? "" : "/",
        query: {
          "list-type": "2",
          delimiter: o.delimiter ?? "/",
          prefix: o.prefix,
          "encoding-type": "url",
          ...(o.pageSize ? { "max-keys": String(o.pageSize) } : {}),
          ...(token ? { "continuation-token": token } : {}),
        },
        headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
      });
      const page = parseListPage((await readBody(res.body)).toString("utf8"));
      for (const p of page.prefixes) out.add(p);
      token = page.nextToken;
    } while (token);
    return [...out];
  }

  /** GetPublicAccessBlock: the bucket's Block Public Access settings (a setting S3 leaves out is undefined). */
  async getPublicAccessBlock(o: PublicAccessBlockTarget): Promise<{ PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }> {
    const res = await this.http.send({
      method: "GET",
      endpoint: s3Endpoint(o.Bucket, this.opts.region, this.opts),
      path: "/",
      query: { publicAccessBlock: "" },
      headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256, ...expectedOwner(o) },
    });
    return { PublicAccessBlockConfiguration: parsePublicAccessBlock((await readBody(res.body)).toString("utf8")) };
  }

  /**
   * PutPublicAccessBlock: replaces the bucket's settings. S3 requires a checksum of this body
   * (`Content-MD5`); the payload hash is signed, so the body cannot be swapped on the way.
   */
  async putPublicAccessBlock(o: PublicAccessBlockTarget & { PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }): Promise<void> {
    const body = Buffer.from(publicAccessBlockXml(o.PublicAccessBlockConfiguration), "utf8");
    const res = await this.http.send({
      method: "PUT",
      endpoint: s3Endpoint(o.Bucket, this.opts.region, this.opts),
      path: "/",
      query: { publicAccessBlock: "" },
      headers: {
        "content-type": "application/xml",
        "content-md5": createHash("md5").update(body).digest("base64"),
        "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
        ...expectedOwner(o),
      },
      body,
    });
    await readBody(res.body); // empty, but read so the connection goes back to the pool
  }

  /** Closes the pooled connections (tests; a Lambda container simply ends). */
  destroy(): void {
    this.http.destroy();
  }
}

function expectedOwner(o: PublicAccessBlockTarget): Record<string, string> {
  return o.ExpectedBucketOwner ? { "x-amz-expected-bucket-owner": o.ExpectedBucketOwner } : {};
}

/**
 * The common prefixes and continuation token of one ListObjectsV2 page. A regex is enough here:
 * with `encoding-type=url` S3 URL-encodes every prefix, so a `<Prefix>` holds plain escaped text,
 * never markup, and only `<CommonPrefixes>` entries are read (the request's own `<Prefix>` is not).
 * A server that ignores `encoding-type` (s3rver) says so by leaving out `<EncodingType>`, and its
 * prefixes are then taken as they are.
 */
export function parseListPage(xml: string): { prefixes: string[]; nextToken?: string } {
  const urlEncoded = /<EncodingType>url<\/EncodingType>/.test(xml);
  const prefixes: string[] = [];
  for (const m of xml.matchAll(/<CommonPrefixes>\s*<Prefix>([^<]*)<\/Prefix>\s*<\/CommonPrefixes>/g)) {
    const text = xmlUnescape(m[1]!);
    // S3's URL encoding writes a space as "+" (and a "+" as %2B).
    prefixes.push(urlEncoded ? decodeURIComponent(text.replace(/\+/g, " ")) : text);
  }
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
  const nextToken = truncated ? xmlText(xml, "NextContinuationToken") : undefined;
  if (truncated && !nextToken) throw new Error("ListObjectsV2 answered IsTruncated without a NextContinuationToken");
  return { prefixes, ...(nextToken ? { nextToken } : {}) };
}
