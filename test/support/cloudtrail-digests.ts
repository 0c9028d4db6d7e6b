import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { gzipSync } from "node:zlib";
import { signingString } from "../../functions/core/integrity/digest";
import type { TrailFile } from "./cloudtrail-bucket";

/** A signing key pair of the test's own, with the fingerprint digests name it by. */
export interface TestSigningKey {
  privateKey: KeyObject;
  /** DER, PKCS #1: what ListPublicKeys returns as Value. */
  publicDer: Buffer;
  fingerprint: string;
}

/** A new RSA 2048 key pair (CloudTrail's size); the fingerprint is the MD5 of the public DER (any unique hex does). */
export function testSigningKey(): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicDer = publicKey.export({ format: "der", type: "pkcs1" });
  return { privateKey, publicDer, fingerprint: createHash("md5").update(publicDer).digest("hex") };
}

/** One digest file as CloudTrail stores it: gzipped JSON, the signature in the object's metadata. */
export interface DigestFile {
  key: string;
  body: Buffer;
  metadata: { signature: string; "signature-algorithm": string };
  json: Record<string, unknown>;
  end: Date;
}

function stamp(t: Date): string {
  return t.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** Signs a digest's JSON (given as the exact text that will be gzipped) the way CloudTrail does. */
export function signDigest(text: string, json: { digestEndTime: string; digestS3Bucket: string; digestS3Object: string; previousDigestSignature: string | null }, key: TestSigningKey): string {
  const hash = createHash("sha256").update(text).digest("hex");
  return sign("sha256", Buffer.from(signingString(json, hash), "utf8"), key.privateKey).toString("hex");
}

/**
 * An hourly chain of digests for one account and region: each digest ends at one of `ends` (1 min 31 s
 * past the hour, as CloudTrail's do), lists the files delivered in the hour before it with the
 * SHA-256 of their uncompressed content, and carries the previous digest's S3 location, hash and
 * signature; the first is a starting digest (previous fields null).
 */
export function digestChain(opts: {
  bucket: string;
  account: string;
  region: string;
  trail?: string;
  organizationId?: string;
  prefix?: string;
  ends: Date[];
  files: readonly TrailFile[];
  key: TestSigningKey;
}): DigestFile[] {
  const trail = opts.trail ?? "org-trail";
  const out: DigestFile[] = [];
  let prev: { key: string; text: string; signature: string } | undefined;
  for (const end of opts.ends) {
    const start = new Date(end.getTime() - 3_600_000);
    const listed = opts.files.filter((f) => f.account === opts.account && f.region === opts.region && f.delivered > start && f.delivered <= end);
    const day = end.toISOString().slice(0, 10).replace(/-/g, "/");
    const org = opts.organizationId ? `${opts.organizationId}/` : "";
    const key = `${opts.prefix ?? ""}AWSLogs/${org}${opts.account}/CloudTrail-Digest/${opts.region}/${day}/${opts.account}_CloudTrail-Digest_${opts.region}_${trail}_us-east-1_${stamp(end)}.json.gz`;
    const iso = (t: Date) => t.toISOString().replace(/\.000Z$/, "Z");
    const json = {
      awsAccountId: opts.account,
      digestStartTime: iso(start),
      digestEndTime: iso(end),
      digestS3Bucket: opts.bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: opts.key.fingerprint,
      digestSignatureAlgorithm: "SHA256withRSA",
      newestEventTime: listed.length ? iso(listed[listed.length - 1]!.delivered) : null,
      oldestEventTime: listed.length ? iso(listed[0]!.delivered) : null,
      previousDigestS3Bucket: prev ? opts.bucket : null,
      previousDigestS3Object: prev ? prev.key : null,
      previousDigestHashValue: prev ? createHash("sha256").update(prev.text).digest("hex") : null,
      previousDigestHashAlgorithm: prev ? "SHA-256" : null,
      previousDigestSignature: prev ? prev.signature : null,
      logFiles: listed.map((f) => ({
        s3Bucket: opts.bucket,
        s3Object: f.key,
        hashValue: createHash("sha256").update(JSON.stringify({ Records: f.records })).digest("hex"),
        hashAlgorithm: "SHA-256",
        newestEventTime: iso(f.delivered),
        oldestEventTime: iso(f.delivered),
      })),
    };
    const text = JSON.stringify(json);
    const signature = signDigest(text, json, opts.key);
    out.push({ key, body: gzipSync(text), metadata: { signature, "signature-algorithm": "SHA256withRSA" }, json, end });
    prev = { key, text, signature };
  }
  return out;
}

/** `count` digest end times, hourly from `first`. */
export function hourlyEnds(first: string, count: number): Date[] {
  const t0 = Date.parse(first);
  return Array.from({ length: count }, (_, i) => new Date(t0 + i * 3_600_000));
}
