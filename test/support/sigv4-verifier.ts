import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Hash } from "@smithy/core/serde";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";

/** What a verifying test server expects of every request's signature. */
export interface SigV4Expectation {
  service: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** A request as a server received it: the raw path and query, the headers, the body bytes. */
export interface ReceivedRequest {
  method: string;
  /** `req.url`: path and query exactly as they came over the wire. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** RFC 3986 encoding, as AWS canonicalizes. */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Checks a request's SigV4 signature the way AWS does: the scope must name the expected key,
 * region and service; the payload hash header (when sent) must be the hash of the body that
 * arrived; and the signature is recomputed with the SDK's `SignatureV4` over the request as
 * received (its path canonicalized as the service does: S3 re-encodes each decoded segment once,
 * other services encode the path again). Returns why it is not valid, or undefined when it is.
 */
export async function sigV4Problem(req: ReceivedRequest, expect: SigV4Expectation): Promise<string | undefined> {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const auth = header("authorization");
  if (!auth) return "no Authorization header";
  const m = AUTH.exec(auth);
  if (!m) return `Authorization is not a SigV4 header: ${auth}`;
  const [, keyId, day, region, service, signedHeaders] = m;
  if (keyId !== expect.credentials.accessKeyId) return `signed with key ${keyId}, not ${expect.credentials.accessKeyId}`;
  if (region !== expect.region || service !== expect.service) return `scope ${region}/${service}, expected ${expect.region}/${expect.service}`;
  const amzDate = header("x-amz-date");
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) return `x-amz-date ${amzDate} does not match the scope date ${day}`;
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000) return `x-amz-date ${amzDate} is more than 15 minutes off`;
  const names = signedHeaders!.split(";");
  if (!names.includes("host")) return "host is not signed";
  const claimed = header("x-amz-content-sha256");
  const actual = createHash("sha256").update(req.body).digest("hex");
  if (claimed !== undefined && claimed !== actual) return `x-amz-content-sha256 ${claimed} is not the hash of the body that arrived (${actual})`;

  const q = req.url.indexOf("?");
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? "" : req.url.slice(q + 1);
  let decodedSegments: string[];
  const query: Record<string, string> = {};
  try {
    decodedSegments = rawPath.split("/").map((s) => decodeURIComponent(s));
    for (const pair of rawQuery.split("&").filter(Boolean)) {
      const i = pair.indexOf("=");
      const k = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
      query[k] = i < 0 ? "" : decodeURIComponent(pair.slice(i + 1));
    }
  } catch {
    return `the path or query is not validly percent-encoded: ${req.url}`;
  }
  const isS3 = expect.service === "s3";
  const headers: Record<string, string> = {};
  for (const n of names) {
    const v = header(n);
    if (v === undefined) return `signed header ${n} did not arrive`;
    headers[n] = v;
  }
  const hostHeader = headers.host!;
  const request = new HttpRequest({
    method: req.method,
    protocol: "http:",
    hostname: hostHeader.replace(/:\d+$/, ""),
    path: decodedSegments.map(rfc3986).join("/"),
    query,
    headers,
    body: req.body.length > 0 ? req.body : undefined,
  });
  const signer = new SignatureV4({
    service: expect.service,
    region: expect.region,
    credentials: expect.credentials,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: !isS3,
    applyChecksum: false,
  });
  const signed = await signer.sign(request, { signingDate });
  const recomputed = signed.headers.authorization;
  return recomputed === auth ? undefined : `signature does not match: got "${auth}", recomputed "${recomputed}"`;
}
