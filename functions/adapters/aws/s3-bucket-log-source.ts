import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { LogFileContent, LogFileRef, LogSource, ReadOptions } from "../../core/ports";
import { listingDays, logFileMayHoldWindow, type S3Location } from "../../core/sources/cloudtrail-prefixes";
import { orderedMap } from "../../core/sources/ordered-map";
import type { TimeWindow } from "../../core/sources/time-window";
import { decodeLogBytes, isDigestKey, isLogFileName } from "../log-content";
import { awsErrorName } from "./aws-error";
import { isTransientAwsError } from "./aws-error";
import { S3LayoutLister, type LayoutFilter, type ListedObject, type ListingProblem } from "./s3-layout-lister";

/** What a GetObject gave: the body and user metadata, the object is gone, or why it could not be read. */
export type FetchedObject =
  | { status: "ok"; body: Buffer; metadata: Record<string, string> }
  | { status: "gone"; reason: string }
  | { status: "error"; reason: string; transient?: boolean };

const GONE = new Set(["NoSuchKey", "NotFound", "NoSuchVersion"]);
const MiB = 2 ** 20;

/**
 * GetObject of one key into memory, refusing a body larger than `maxBytes` (checked on the length S3
 * announces, before reading). Never throws: a deleted object is `gone`, everything else an `error`
 * with the reason (access denied, KMS, a dropped connection after the SDK's retries), marked
 * `transient` when trying again later may succeed (throttling, 5xx, a dropped connection).
 */
export async function fetchObject(s3: S3Client, bucket: string, key: string, maxBytes: number): Promise<FetchedObject> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!r.Body) return { status: "error", reason: "GetObject returned no body" };
    if (r.ContentLength !== undefined && r.ContentLength > maxBytes) {
      (r.Body as { destroy?: () => void }).destroy?.();
      return { status: "error", reason: `object is ${(r.ContentLength / MiB).toFixed(0)} MiB, more than the ${(maxBytes / MiB).toFixed(0)} MiB read per object` };
    }
    const bytes = await r.Body.transformToByteArray();
    return { status: "ok", body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), metadata: r.Metadata ?? {} };
  } catch (e) {
    const name = awsErrorName(e);
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (GONE.has(name) || status === 404) return { status: "gone", reason: `no such object (${name})` };
    const what = name === "AccessDenied" || status === 403 ? "access denied" : "GetObject failed";
    return { status: "error", reason: `${what} (${name}${status ? ` ${status}` : ""}): ${(e as Error).message ?? String(e)}`, ...(isTransientAwsError(e) ? { transient: true } : {}) };
  }
}

/** What to read: a bucket location, a window and optionally accounts and regions. */
export interface S3ScanScope {
  location: S3Location;
  window: TimeWindow;
  filter?: LayoutFilter;
}

/** Limits and hooks of an {@link S3BucketLogSource}. */
export interface S3BucketSourceOptions {
  /** GetObject requests in flight (default 16). */
  concurrency?: number;
  /** Day folders listed at once (default 8). */
  listConcurrency?: number;
  /** Keys per ListObjectsV2 page (S3's default, 1,000, when unset). */
  listPageSize?: number;
  /** Compressed bytes fetched ahead of the scan at most (default 64 MiB; one larger object still goes alone). */
  maxBufferedBytes?: number;
  /** Larger objects are reported, not read (default 256 MiB). */
  maxObjectBytes?: number;
  /** Called as objects are listed, with the running totals (for progress). */
  onListed?: (totals: { objects: number; bytes: number }) => void;
  /** Called with each fetched body before it is decoded (e.g. to hash it for integrity checks). */
  onBody?(id: string, body: Buffer): void;
}

type Prepared = { ref: LogFileRef; body?: Buffer; content?: LogFileContent };

/**
 * CloudTrail log files of a time window in an S3 bucket, as a {@link LogSource}: lists only the day
 * folders of the window (both layouts, accounts and regions found or given), keeps files whose
 * delivery time can hold the window's events, and fetches bodies ahead of the scan with bounded
 * concurrency and a byte budget, in listing order so runs are reproducible. Decoding happens in
 * `read`, with the same code as every other source. A prefix that cannot be listed, or an object
 * that cannot be read, becomes a file with an error (named in the summary, exit status 2); the rest
 * of the bucket is still read.
 */
export class S3BucketLogSource implements LogSource {
  private readonly lister: S3LayoutLister;
  private readonly pending = new Map<string, Prepared>();

  constructor(
    private readonly s3: S3Client,
    private readonly scope: S3ScanScope,
    private readonly opts: S3BucketSourceOptions = {},
  ) {
    this.lister = new S3LayoutLister(s3, scope.location, { listConcurrency: opts.listConcurrency, pageSize: opts.listPageSize });
  }

  private uri(key: string): string {
    return `s3://${this.scope.location.bucket}/${key}`;
  }

  async *files(): AsyncIterable<LogFileRef> {
    const { window } = this.scope;
    const maxObject = this.opts.maxObjectBytes ?? 256 * MiB;
    const totals = { objects: 0, bytes: 0 };
    const lister = this.lister;
    const onListed = this.opts.onListed;
    const scope = this.scope;
    async function* inWindow(): AsyncGenerator<ListedObject | ListingProblem> {
      for await (const item of lister.objects(scope.filter ?? {}, listingDays(window), "logs")) {
        if (item.kind === "object") {
          if (!logFileMayHoldWindow(item.key, window)) continue;
          totals.objects++;
          totals.bytes += item.size;
          onListed?.({ ...totals });
        }
        yield item;
      }
    }
    const prepared = orderedMap(inWindow(), (item) => this.prepare(item, maxObject), {
      concurrency: this.opts.concurrency ?? 16,
      weight: (item) => (item.kind === "object" ? item.size : 0),
      maxWeight: this.opts.maxBufferedBytes ?? 64 * MiB,
    });
    for await (const p of prepared) {
      if (!p.ref.skip) this.pending.set(p.ref.id, p);
      yield p.ref;
    }
  }

  private async prepare(item: ListedObject | ListingProblem, maxObject: number): Promise<Prepared> {
    if (item.kind === "problem") return { ref: { id: item.id, size: 0 }, content: { records: [], invalid: [], error: `could not be listed: ${item.reason}`, bytes: 0 } };
    const ref: LogFileRef = { id: this.uri(item.key), size: item.size };
    if (isDigestKey(item.key)) return { ref: { ...ref, skip: "CloudTrail digest file (integrity data, no events)" } };
    if (!isLogFileName(item.key)) return { ref: { ...ref, skip: "not a log file name (.json, .json.gz, .jsonl, .gz, .zip)" } };
    if (item.size > maxObject) {
      return { ref, content: { records: [], invalid: [], error: `object is ${(item.size / MiB).toFixed(0)} MiB, more than the ${(maxObject / MiB).toFixed(0)} MiB read per object`, bytes: 0 } };
    }
    const got = await fetchObject(this.s3, this.scope.location.bucket, item.key, maxObject);
    if (got.status === "gone") return { ref, content: { records: [], invalid: [], skipped: `deleted after it was listed (${got.reason})`, bytes: 0 } };
    if (got.status === "error") return { ref, content: { records: [], invalid: [], error: got.reason, bytes: 0 } };
    this.opts.onBody?.(ref.id, got.body);
    return { ref, body: got.body };
  }

  async read(file: LogFileRef, opts: ReadOptions = {}): Promise<LogFileContent> {
    const p = this.pending.get(file.id);
    if (!p) throw new Error(`${file.id} is not a file this source listed`);
    this.pending.delete(file.id);
    if (p.content) return p.content;
    return decodeLogBytes(p.body!, file.id, undefined, opts);
  }
}
