import { createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import * as z from "../zod";

/**
 * CloudTrail digest files, as the CloudTrail User Guide documents them ("CloudTrail digest file
 * structure" and "Custom implementations of CloudTrail log file integrity validation"): every hour
 * CloudTrail writes, per account, region and trail, a gzipped JSON file listing the log files it
 * delivered with the SHA-256 of each file's uncompressed content, and the signature and hash of the
 * previous digest (the chain). The digest itself is signed with SHA256withRSA; the hex signature is
 * in the S3 object's metadata (`x-amz-meta-signature`, `x-amz-meta-signature-algorithm`).
 */

export const SIGNATURE_ALGORITHM = "SHA256withRSA";
export const HASH_ALGORITHM = "SHA-256";

const hex = z.string().check(z.regex(/^[0-9a-f]+$/i), z.maxLength(4096));
const time = z.string().check(z.maxLength(64));
const key = z.string().check(z.minLength(1), z.maxLength(1024));
const bucket = z.string().check(z.minLength(1), z.maxLength(255));

const logFileEntry = z.looseObject({
  s3Bucket: bucket,
  s3Object: key,
  hashValue: hex,
  hashAlgorithm: z.string().check(z.maxLength(32)),
  newestEventTime: z.optional(z.nullable(time)),
  oldestEventTime: z.optional(z.nullable(time)),
});

/** The fields of a digest file this project reads; the previous-digest fields are null in a starting digest. */
export const digestSchema = z.looseObject({
  awsAccountId: z.optional(z.string().check(z.maxLength(32))),
  digestStartTime: time,
  digestEndTime: time,
  digestS3Bucket: bucket,
  digestS3Object: key,
  digestPublicKeyFingerprint: z.string().check(z.regex(/^[0-9a-f]{1,128}$/i)),
  digestSignatureAlgorithm: z.string().check(z.maxLength(64)),
  previousDigestS3Bucket: z.nullable(bucket),
  previousDigestS3Object: z.nullable(key),
  previousDigestHashValue: z.nullable(hex),
  previousDigestHashAlgorithm: z.nullable(z.string().check(z.maxLength(32))),
  // The key must be there (null in a starting digest): it is part of what is signed.
  previousDigestSignature: z.nullable(hex),
  logFiles: z.array(logFileEntry).check(z.maxLength(1_000_000)),
});

export type Digest = z.infer<typeof digestSchema>;
export type DigestLogFile = z.infer<typeof logFileEntry>;

/** Reads the uncompressed text of a digest file; the reason names the first field that is wrong. */
export function parseDigest(text: string): { ok: true; digest: Digest } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON (${(e as Error).message})` };
  }
  if (json && typeof json === "object" && !("previousDigestSignature" in json)) return { ok: false, reason: "previousDigestSignature is missing" };
  const r = digestSchema.safeParse(json);
  if (r.success) return { ok: true, digest: r.data };
  const issue = r.error.issues[0]!;
  return { ok: false, reason: `${issue.path.join(".") || "(top)"}: ${issue.message}` };
}

/**
 * The data signing string: the digest's end time, its S3 path (`bucket/key`), the hex SHA-256 of
 * its uncompressed content and the previous digest's hex signature (the text `null` in a starting
 * digest, as `aws cloudtrail validate-logs` writes it), joined by newlines.
 */
export function signingString(d: Pick<Digest, "digestEndTime" | "digestS3Bucket" | "digestS3Object" | "previousDigestSignature">, digestSha256Hex: string): string {
  return `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${digestSha256Hex}\n${d.previousDigestSignature ?? "null"}`;
}

/** A public key as CloudTrail's ListPublicKeys returns it. */
export interface PublicKeyInfo {
  fingerprint: string;
  /** DER, PKCS#1 RSAPublicKey (SubjectPublicKeyInfo is accepted too). */
  der: Uint8Array;
  validFrom?: Date;
  validTo?: Date;
}

/** Loads a DER public key: PKCS#1 as documented, SubjectPublicKeyInfo as a fallback. */
export function loadPublicKey(der: Uint8Array): KeyObject {
  const buf = Buffer.from(der);
  try {
    return createPublicKey({ key: buf, format: "der", type: "pkcs1" });
  } catch {
    return createPublicKey({ key: buf, format: "der", type: "spki" });
  }
}

/** RSA PKCS#1 v1.5 over SHA-256 of the signing string (Java's SHA256withRSA). */
export function signatureMatches(signing: string, signatureHex: string, key: KeyObject): boolean {
  if (!/^[0-9a-f]+$/i.test(signatureHex) || signatureHex.length % 2 !== 0) return false;
  try {
    return verifySignature("sha256", Buffer.from(signing, "utf8"), key, Buffer.from(signatureHex, "hex"));
  } catch {
    return false;
  }
}

/** What a digest's key says: where it belongs (its chain) and its end time. */
export interface DigestName {
  /** Everything up to `CloudTrail-Digest/` (trail prefix, AWSLogs, organization, account). */
  folder: string;
  account: string;
  region: string;
  trail: string;
  homeRegion: string;
  end: Date;
  backfill: boolean;
  /** One chain per account, region, trail and home region. */
  chain: string;
}

const DIGEST_KEY =
  /^(.*?)([0-9]{12})\/CloudTrail-Digest\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([0-9]{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z]{2}(?:-[a-z]+)+-\d{1,2})_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(_backfill)?\.json\.gz$/;

/** Reads a digest key (`...AWSLogs/[o-id/]<acct>/CloudTrail-Digest/<region>/Y/M/D/<acct>_CloudTrail-Digest_<region>_<trail>_<home>_<stamp>.json.gz`). */
export function parseDigestName(k: string): DigestName | undefined {
  const m = DIGEST_KEY.exec(k.replace(/\\/g, "/"));
  if (!m || m[2] !== m[7] || m[3] !== m[8]) return undefined;
  const end = new Date(Date.UTC(+m[11]!, +m[12]! - 1, +m[13]!, +m[14]!, +m[15]!, +m[16]!));
  if (Number.isNaN(end.getTime())) return undefined;
  const folder = `${m[1]}${m[2]}/`;
  return { folder, account: m[2]!, region: m[3]!, trail: m[9]!, homeRegion: m[10]!, end, backfill: Boolean(m[17]), chain: `${folder}|${m[3]}|${m[9]}|${m[10]}` };
}

