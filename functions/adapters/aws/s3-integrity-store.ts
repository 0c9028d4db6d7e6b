import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { DIGEST_LAG_MS, type Fetched, type IntegrityGroup, type LogHash, type IntegrityStore, type StoredObject, type StoreProblem } from "../../core/integrity/verify";
import { accountFolder, dayFolderPrefix } from "../../core/aws/cloudtrail-keys";
import { listingDays, type S3Location } from "../../core/sources/cloudtrail-prefixes";
import type { TimeWindow } from "../../core/sources/time-window";
import { inflateDigest, MAX_DIGEST_BYTES, sha256OfGzipStream } from "../integrity-content";
import { awsErrorName } from "./aws-error";
import { fetchObject } from "./s3-bucket-log-source";
import { S3LayoutLister, type AccountRegion, type LayoutFilter, type ListedObject, type ListingProblem } from "./s3-layout-lister";

/**
 * Digests and log files of a trail bucket for integrity checks: the (account, region) groups found
 * under `CloudTrail/` and `CloudTrail-Digest/`, the day folders of the window (digests up to two hours
 * past it, since a digest lists the hour before its end), digest signatures from the objects' S3
 * metadata, and log hashes computed while the object streams.
 */
export class S3IntegrityStore implements IntegrityStore {
  private readonly lister: S3LayoutLister;
  private readonly folders = new Map<string, AccountRegion>();

  constructor(
    private readonly s3: S3Client,
    private readonly location: S3Location,
    private readonly window: TimeWindow,
    private readonly filter: LayoutFilter = {},
  ) {
    this.lister = new S3LayoutLister(s3, location);
  }

  async *groups(): AsyncIterable<IntegrityGroup | StoreProblem> {
    const seen = new Set<string>();
    for (const kind of ["digests", "logs"] as const) {
      for await (const ar of this.lister.accountRegions(this.filter, kind)) {
        if ("kind" in ar) {
          yield ar;
          continue;
        }
        const label = `${accountFolder(ar, "logs").replace(/CloudTrail\/$/, "")}${ar.region}`;
        if (seen.has(label)) continue;
        seen.add(label);
        this.folders.set(label, ar);
        yield { bucket: this.location.bucket, account: ar.account, region: ar.region, label };
      }
    }
  }

  private async list(g: IntegrityGroup, kind: "logs" | "digests", days: string[]): Promise<(StoredObject | StoreProblem)[]> {
    const ar = this.folders.get(g.label);
    if (!ar) throw new Error(`unknown group ${g.label}`);
    const out: (StoredObject | StoreProblem)[] = [];
    for (const day of days) {
      const items: (ListedObject | ListingProblem)[] = await this.lister.objectsUnder(dayFolderPrefix(accountFolder(ar, kind), ar.region, day));
      for (const i of items) out.push(i.kind === "problem" ? i : { id: this.idOf(this.location.bucket, i.key), bucket: this.location.bucket, key: i.key });
    }
    return out;
  }

  digests(g: IntegrityGroup): Promise<(StoredObject | StoreProblem)[]> {
    return this.list(g, "digests", listingDays(this.window, DIGEST_LAG_MS));
  }

  logFiles(g: IntegrityGroup): Promise<(StoredObject | StoreProblem)[]> {
    return this.list(g, "logs", listingDays(this.window));
  }

  async readDigest(o: StoredObject): Promise<Fetched<{ content: Buffer; signature?: string; signatureAlgorithm?: string }>> {
    const got = await fetchObject(this.s3, o.bucket, o.key, MAX_DIGEST_BYTES);
    if (got.status !== "ok") return got;
    const inflated = inflateDigest(got.body);
    if ("error" in inflated) return { status: "error", reason: `its content is ${inflated.error}` };
    return { status: "ok", content: inflated.content, ...meta(got.metadata) };
  }

  async hashLog(bucket: string, key: string): Promise<LogHash> {
    let body: Readable | undefined;
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = r.Body as Readable | undefined;
      if (!body) return { status: "error", reason: "GetObject returned no body" };
    } catch (e) {
      const name = awsErrorName(e);
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === "NoSuchKey" || name === "NotFound" || status === 404) return { status: "gone", reason: `no such object (${name})` };
      return { status: "error", reason: `${name === "AccessDenied" || status === 403 ? "access denied" : "GetObject failed"} (${name}${status ? ` ${status}` : ""}): ${(e as Error).message}` };
    }
    try {
      return { status: "ok", sha256: await sha256OfGzipStream(body) };
    } catch (e) {
      // Not gzip, or broken gzip: the content is not what CloudTrail delivered (it always gzips).
      return { status: "corrupt", reason: (e as Error).message };
    }
  }

  idOf(bucket: string, key: string): string {
    return `s3://${bucket}/${key}`;
  }

  locationMatches(readFrom: StoredObject, named: { bucket: string; key: string }): boolean {
    return readFrom.bucket === named.bucket && readFrom.key === named.key;
  }
}

function meta(m: Record<string, string>): { signature?: string; signatureAlgorithm?: string } {
  return { ...(m.signature !== undefined ? { signature: m.signature } : {}), ...(m["signature-algorithm"] !== undefined ? { signatureAlgorithm: m["signature-algorithm"] } : {}) };
}
