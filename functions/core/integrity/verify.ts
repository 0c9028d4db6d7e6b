import { createHash, type KeyObject } from "node:crypto";
import { DELIVERY_LATENESS_MS } from "../sources/cloudtrail-prefixes";
import { orderedMap } from "../sources/ordered-map";
import type { TimeWindow } from "../sources/time-window";
import {
  HASH_ALGORITHM,
  loadPublicKey,
  parseDigest,
  parseDigestName,
  signatureMatches,
  signingString,
  SIGNATURE_ALGORITHM,
  type Digest,
  type DigestName,
  type PublicKeyInfo,
} from "./digest";

/**
 * Log file integrity validation, as `aws cloudtrail validate-logs` does it and the CloudTrail User
 * Guide documents it: each digest's signature (SHA256withRSA over the signing string, with the
 * public key ListPublicKeys gives for the digest's fingerprint), the chain between consecutive
 * digests, and each listed log file's SHA-256; plus what the CLI does not do: log files present but
 * in no digest. Storage and keys are ports, so S3, a local copy and tests use the same code.
 */

export type DigestStatus = "valid" | "invalid" | "missing";
export type LogStatus = "valid" | "modified" | "deleted" | "not-covered" | "unreadable";

/** The outcome for one digest file. */
export interface DigestResult {
  id: string;
  status: DigestStatus;
  reason?: string;
  account: string;
  region: string;
  /** The digest's end time (from its name). */
  end?: string;
  /** Log files it lists. */
  logFiles: number;
}

/** The outcome for one log file. */
export interface LogResult {
  id: string;
  status: LogStatus;
  reason?: string;
  /** The digest that lists it. */
  digest?: string;
}

export interface IntegrityReport {
  window?: TimeWindow;
  digests: DigestResult[];
  logs: LogResult[];
  /** Prefixes that could not be listed: what was not verified at all. */
  problems: { id: string; reason: string }[];
  /** Things to know that are not failures (a chain that restarts, what cannot be checked). */
  notes: string[];
}

/** A place in the store (S3 bucket and key; a local copy's key from `AWSLogs/` on, bucket ""). */
export interface StoredObject {
  id: string;
  bucket: string;
  key: string;
}

/** A prefix or folder that could not be listed. */
export interface StoreProblem {
  kind: "problem";
  id: string;
  reason: string;
}

/** One account and region of the layout: its digests and its log files are checked together. */
export interface IntegrityGroup {
  bucket: string;
  account: string;
  region: string;
  /** Names the group in messages. */
  label: string;
}

export type Fetched<T> = ({ status: "ok" } & T) | { status: "gone"; reason: string } | { status: "error"; reason: string };
/** A log file's hash, or why there is none; `corrupt` is content that is not gzip (CloudTrail always gzips). */
export type LogHash = Fetched<{ sha256: string }> | { status: "corrupt"; reason: string };

/** Where digests and log files are read from. */
export interface IntegrityStore {
  groups(): AsyncIterable<IntegrityGroup | StoreProblem>;
  /** The group's digest files (of the window's days, when there is a window). */
  digests(g: IntegrityGroup): Promise<(StoredObject | StoreProblem)[]>;
  /** The group's log files (of the window's days, when there is a window). */
  logFiles(g: IntegrityGroup): Promise<(StoredObject | StoreProblem)[]>;
  /** A digest's uncompressed content and its signature (S3 metadata, or a local sidecar), if stored. */
  readDigest(o: StoredObject): Promise<Fetched<{ content: Buffer; signature?: string; signatureAlgorithm?: string }>>;
  /** SHA-256 (hex) of a log file's uncompressed content, by the bucket and key a digest names. */
  hashLog(bucket: string, key: string): Promise<LogHash>;
  /** The id of the object a digest names (`s3://bucket/key`, or where the local copy has or would have it). */
  idOf(bucket: string, key: string): string;
  /** Whether a digest read from `readFrom` names that same place as its own location. */
  locationMatches(readFrom: StoredObject, named: { bucket: string; key: string }): boolean;
}

/** The public keys that may have signed a region's digests in the window (ListPublicKeys, or a saved copy). */
export interface PublicKeySource {
  keys(region: string): Promise<PublicKeyInfo[]>;
}

export interface VerifyOptions {
  window?: TimeWindow;
  /** Log files hashed at once (default 16). */
  concurrency?: number;
  /** Hashes already computed (e.g. by a scan of the same files), by id: not read again. */
  knownHashes?: ReadonlyMap<string, string>;
  onProgress?(p: { digests: number; logs: number }): void;
}

/** How far after the window a digest can still list the window's files: delivery lateness plus the digest's hour. */
export const DIGEST_LAG_MS = 2 * 3_600_000;
/** How far a public key's validity is stretched around a digest's end time (the digest is signed after its period ends). */
const KEY_VALIDITY_SLACK_MS = 3_600_000;

interface LoadedDigest {
  ref: StoredObject;
  name: DigestName;
  result: DigestResult;
  digest?: Digest;
  sha256?: string;
  /** The signature from the object's metadata or a sidecar. */
  storedSignature?: string;
  /** The signature actually checked (stored, or the next digest's previousDigestSignature). */
  signature?: string;
}

/** A file's name without its folders, for reasons that name another file. */
function nameOf(id: string): string {
  return id.split(/[\\/]/).pop() ?? id;
}

function logStamp(key: string): number | undefined {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*$/.exec(key);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!) : undefined;
}

/** Checks every digest and log file of the store's scope; never throws for bad data (it is the finding). */
export async function verifyIntegrity(store: IntegrityStore, keySource: PublicKeySource, opts: VerifyOptions = {}): Promise<IntegrityReport> {
  const report: IntegrityReport = { ...(opts.window ? { window: opts.window } : {}), digests: [], logs: [], problems: [], notes: [] };
  const keyCache = new Map<string, Promise<Map<string, { info: PublicKeyInfo; key?: KeyObject; error?: string }> | string>>();
  const progress = { digests: 0, logs: 0 };
  const keysOf = (region: string) => {
    let p = keyCache.get(region);
    if (!p) {
      p = keySource.keys(region).then(
        (list) => {
          const m = new Map<string, { info: PublicKeyInfo; key?: KeyObject; error?: string }>();
          for (const info of list) {
            try {
              m.set(info.fingerprint, { info, key: loadPublicKey(info.der) });
            } catch (e) {
              m.set(info.fingerprint, { info, error: `the public key with fingerprint ${info.fingerprint} cannot be loaded as PKCS #1 DER (${(e as Error).message})` });
            }
          }
          return m;
        },
        (e: unknown) => `public keys of ${region} could not be read: ${(e as Error).message}`,
      );
      keyCache.set(region, p);
    }
    return p;
  };

  for await (const g of store.groups()) {
    if ("kind" in g) {
      report.problems.push({ id: g.id, reason: g.reason });
      continue;
    }
    await verifyGroup(g);
  }
  return report;

  async function verifyGroup(g: IntegrityGroup): Promise<void> {
    const w = opts.window;
    // 1. The group's digests in the window (by the end time in their names).
    const loaded: LoadedDigest[] = [];
    for (const o of await store.digests(g)) {
      if ("kind" in o) {
        report.problems.push({ id: o.id, reason: o.reason });
        continue;
      }
      const name = parseDigestName(o.key);
      if (!name) {
        report.digests.push({ id: o.id, status: "invalid", reason: "not a CloudTrail digest file name", account: g.account, region: g.region, logFiles: 0 });
        continue;
      }
      if (w && (name.end.getTime() < w.from.getTime() || name.end.getTime() > w.to.getTime() + DIGEST_LAG_MS)) continue;
      loaded.push({ ref: o, name, result: { id: o.id, status: "valid", account: g.account, region: g.region, end: name.end.toISOString().replace(/\.000Z$/, "Z"), logFiles: 0 } });
    }
    const invalid = (d: LoadedDigest, reason: string) => {
      if (d.result.status === "valid") {
        d.result.status = "invalid";
        d.result.reason = reason;
      }
    };

    // 2. Read them (content, hash, stored signature).
    for await (const _d of orderedMap(loaded, async (d) => {
      const got = await store.readDigest(d.ref);
      if (got.status !== "ok") {
        invalid(d, got.status === "gone" ? `deleted while being read (${got.reason})` : `could not be read: ${got.reason}`);
        return d;
      }
      d.sha256 = createHash("sha256").update(got.content).digest("hex");
      const parsed = parseDigest(got.content.toString("utf8"));
      if (!parsed.ok) {
        invalid(d, `invalid format: ${parsed.reason}`);
        return d;
      }
      d.digest = parsed.digest;
      d.result.logFiles = parsed.digest.logFiles.length;
      if (got.signature !== undefined) d.storedSignature = got.signature.toLowerCase();
      if (got.signatureAlgorithm !== undefined && got.signatureAlgorithm !== SIGNATURE_ALGORITHM) invalid(d, `signature algorithm "${got.signatureAlgorithm}" is not ${SIGNATURE_ALGORITHM}`);
      return d;
    }, { concurrency: 8 })) {
      progress.digests++;
      opts.onProgress?.({ ...progress });
    }

    // 3. Signatures, newest first in each chain: a digest without a stored signature (a local copy
    // without its S3 metadata) is checked with the signature its valid successor recorded.
    const byKey = new Map(loaded.map((d) => [d.ref.key, d]));
    const chains = new Map<string, LoadedDigest[]>();
    for (const d of loaded) chains.set(d.name.chain, [...(chains.get(d.name.chain) ?? []), d]);
    const keys = chains.size > 0 ? await keysOf(g.region) : new Map<string, { info: PublicKeyInfo; key?: KeyObject; error?: string }>();
    for (const chain of chains.values()) {
      chain.sort((a, b) => b.name.end.getTime() - a.name.end.getTime());
      const recorded = new Map<string, string>();
      // Where the chain broke, newest first: digests older than a break cannot borrow a signature across it.
      let broken: string | undefined;
      const noteBreak = (d: LoadedDigest) => {
        const prev = d.digest?.previousDigestS3Object;
        if (d.result.status !== "valid") broken ??= `${nameOf(d.ref.id)} is not valid`;
        else if (prev && !byKey.has(prev)) broken ??= `${nameOf(prev)} is missing`;
      };
      /** Checks one digest's place, algorithm and signature; returns why it is not valid, or undefined. */
      const check = (d: LoadedDigest, dg: Digest): string | undefined => {
        if (!store.locationMatches(d.ref, { bucket: dg.digestS3Bucket, key: dg.digestS3Object })) return `has been moved from its original location (it names s3://${dg.digestS3Bucket}/${dg.digestS3Object})`;
        if (dg.digestSignatureAlgorithm !== SIGNATURE_ALGORITHM) return `digestSignatureAlgorithm "${dg.digestSignatureAlgorithm}" is not ${SIGNATURE_ALGORITHM}`;
        const fromSuccessor = recorded.get(d.ref.key);
        if (d.storedSignature !== undefined && fromSuccessor !== undefined && d.storedSignature !== fromSuccessor) return "its signature differs from the one the next digest recorded (previousDigestSignature)";
        d.signature = d.storedSignature ?? fromSuccessor;
        if (d.signature === undefined) {
          const hint = "the object's metadata (signature) is not available; for a local copy, save the S3 metadata beside the file as <name>.metadata.json";
          return broken ? `no signature to check: the chain is broken after it (${broken}) and ${hint}` : `no signature to check: no valid later digest records it and ${hint}`;
        }
        if (typeof keys === "string") return keys;
        const k = keys.get(dg.digestPublicKeyFingerprint.toLowerCase()) ?? keys.get(dg.digestPublicKeyFingerprint);
        if (!k) return `public key not found in ${g.region} for fingerprint ${dg.digestPublicKeyFingerprint}`;
        if (!k.key) return k.error ?? "public key cannot be loaded";
        const end = Date.parse(dg.digestEndTime);
        const { validFrom, validTo } = k.info;
        if (!Number.isFinite(end) || (validFrom && end < validFrom.getTime() - KEY_VALIDITY_SLACK_MS) || (validTo && end > validTo.getTime() + KEY_VALIDITY_SLACK_MS)) {
          return `the public key ${dg.digestPublicKeyFingerprint} was not valid at the digest's end time ${dg.digestEndTime}`;
        }
        if (!signatureMatches(signingString(dg, d.sha256!), d.signature, k.key)) return "signature verification failed";
        return undefined;
      };
      for (const d of chain) {
        if (d.digest && d.result.status === "valid") {
          const why = check(d, d.digest);
          if (why) invalid(d, why);
          else if (d.digest.previousDigestS3Object && d.digest.previousDigestSignature) recorded.set(d.digest.previousDigestS3Object, d.digest.previousDigestSignature.toLowerCase());
        }
        noteBreak(d);
      }

      // 4. The chain: each valid digest vouches for the one before it.
      const inOrder = chain.filter((d) => !d.name.backfill);
      const oldest = inOrder.length ? inOrder[inOrder.length - 1]!.name.end.getTime() : 0;
      const scopeStart = w ? w.from.getTime() : oldest;
      for (const d of inOrder) {
        const dg = d.digest;
        if (!dg || d.result.status !== "valid") continue;
        if (!dg.previousDigestS3Object) {
          if (d.name.end.getTime() > oldest) report.notes.push(`${d.ref.id} starts a new chain: logging or log file validation was off before ${dg.digestStartTime} (no digests, so no log files from then are covered)`);
          continue;
        }
        const prev = byKey.get(dg.previousDigestS3Object);
        if (prev) {
          if (prev.sha256 && dg.previousDigestHashValue && dg.previousDigestHashAlgorithm === HASH_ALGORITHM && prev.sha256 !== dg.previousDigestHashValue.toLowerCase()) {
            invalid(prev, `its content differs from the hash the next digest recorded (previousDigestHashValue in ${nameOf(d.ref.id)})`);
          }
          continue;
        }
        const prevName = parseDigestName(dg.previousDigestS3Object);
        if (prevName && prevName.end.getTime() >= scopeStart) {
          report.digests.push({
            id: store.idOf(dg.previousDigestS3Bucket ?? g.bucket, dg.previousDigestS3Object),
            status: "missing",
            reason: `named as the previous digest by ${nameOf(d.ref.id)} but not found (deleted, or a gap in the chain)`,
            account: g.account,
            region: g.region,
            end: prevName.end.toISOString().replace(/\.000Z$/, "Z"),
            logFiles: 0,
          });
        }
      }
    }
    for (const d of loaded) report.digests.push(d.result);

    // 5. Log files listed in valid digests: hash each; those listed only in invalid digests are not covered.
    const listed = new Map<string, { bucket: string; key: string; hash: string; algorithm: string; digest: string }>();
    const onlyInvalid = new Map<string, string>();
    for (const d of loaded) {
      if (!d.digest) continue;
      for (const f of d.digest.logFiles) {
        const id = store.idOf(f.s3Bucket, f.s3Object);
        if (d.result.status === "valid") {
          if (!listed.has(id)) listed.set(id, { bucket: f.s3Bucket, key: f.s3Object, hash: f.hashValue.toLowerCase(), algorithm: f.hashAlgorithm, digest: d.ref.id });
          onlyInvalid.delete(id);
        } else if (!listed.has(id)) onlyInvalid.set(id, d.ref.id);
      }
    }
    const hashed = orderedMap([...listed], async ([id, f]): Promise<LogResult> => {
      if (f.algorithm !== HASH_ALGORITHM) return { id, status: "modified", reason: `hash algorithm "${f.algorithm}" is not ${HASH_ALGORITHM}`, digest: f.digest };
      const known = opts.knownHashes?.get(id);
      const got: LogHash = known ? { status: "ok", sha256: known } : await store.hashLog(f.bucket, f.key);
      if (got.status === "corrupt") return { id, status: "modified", reason: `not the gzip content CloudTrail delivers (${got.reason})`, digest: f.digest };
      if (got.status === "gone") return { id, status: "deleted", reason: `listed in the digest but not found (${got.reason})`, digest: f.digest };
      if (got.status === "error") return { id, status: "unreadable", reason: got.reason, digest: f.digest };
      return got.sha256 === f.hash ? { id, status: "valid", digest: f.digest } : { id, status: "modified", reason: "hash value does not match the digest (hashValue)", digest: f.digest };
    }, { concurrency: opts.concurrency ?? 16 });
    for await (const r of hashed) {
      report.logs.push(r);
      progress.logs++;
      opts.onProgress?.({ ...progress });
    }
    for (const [id, digest] of onlyInvalid) report.logs.push({ id, status: "not-covered", reason: `listed only in ${nameOf(digest)}, which is not valid`, digest });

    // 6. Log files present but in no digest: added, forged, or delivered while validation was off.
    const newest = loaded.filter((d) => d.result.status === "valid").reduce((t, d) => Math.max(t, d.name.end.getTime()), 0);
    for (const o of await store.logFiles(g)) {
      if ("kind" in o) {
        report.problems.push({ id: o.id, reason: o.reason });
        continue;
      }
      if (listed.has(o.id) || onlyInvalid.has(o.id)) continue;
      // The files a scan of the window reads: delivered from its start to an hour after its end (late deliveries).
      const stamp = logStamp(o.key);
      if (w && stamp !== undefined && (stamp < w.from.getTime() - 60_000 || stamp > w.to.getTime() + DELIVERY_LATENESS_MS)) continue;
      const pending = stamp !== undefined && stamp > newest;
      report.logs.push({
        id: o.id,
        status: "not-covered",
        reason: pending ? `delivered after the newest valid digest${newest ? ` (${new Date(newest).toISOString()})` : ""}: its digest may not be written yet, or it was added` : "not listed in any digest of the window",
      });
    }
  }
}

/** Counts per status, for summaries. */
export function integrityCounts(r: IntegrityReport): { digests: Record<DigestStatus, number>; logs: Record<LogStatus, number> } {
  const digests: Record<DigestStatus, number> = { valid: 0, invalid: 0, missing: 0 };
  const logs: Record<LogStatus, number> = { valid: 0, modified: 0, deleted: 0, "not-covered": 0, unreadable: 0 };
  for (const d of r.digests) digests[d.status]++;
  for (const l of r.logs) logs[l.status]++;
  return { digests, logs };
}

/** True when every digest and log file checked is valid and something was checked. */
export function allValid(r: IntegrityReport): boolean {
  return r.digests.length > 0 && r.digests.every((d) => d.status === "valid") && r.logs.every((l) => l.status === "valid");
}
