import type { S3Client } from "@aws-sdk/client-s3";
import type { LogFileContent, LogFileRef, LogSource } from "../../core/ports";
import { orderedMap } from "../../core/sources/ordered-map";
import { decodeLogBytes, isDigestKey, isLogFileName } from "../log-content";
import { fetchObject } from "./s3-bucket-log-source";
import { TransientError } from "./transient-error";

/** One object to read. */
export interface S3KeyItem {
  key: string;
  size: number;
}

/** Limits of an {@link S3KeysLogSource}. */
export interface S3KeysSourceOptions {
  /** GetObject requests in flight (default 8). */
  concurrency?: number;
  /** Compressed bytes fetched ahead of the scan at most (default 64 MiB; one larger object still goes alone). */
  maxBufferedBytes?: number;
  /** Larger objects are reported, not read (default 256 MiB). */
  maxObjectBytes?: number;
  /** Keys must start with this prefix (the trail's log folder); others are reported and not read. */
  requiredPrefix?: string;
}

const MiB = 2 ** 20;

type Prepared = { ref: LogFileRef; body?: Buffer; content?: LogFileContent; transient?: string };

/**
 * Given object keys of one bucket (a retro-hunt batch), as a {@link LogSource}: bodies are fetched
 * ahead with bounded concurrency and bytes, in the order given, and decoded by the same code as every
 * other source. A key outside `requiredPrefix`, an object too large, deleted or denied becomes a file
 * with an error (reported, the rest read). Throttling or a 5xx that outlasted the SDK's retries ends
 * the listing with a {@link TransientError}, so the whole batch is tried again later rather than
 * reported as unreadable.
 */
export class S3KeysLogSource implements LogSource {
  private readonly pending = new Map<string, Prepared>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly items: readonly S3KeyItem[],
    private readonly opts: S3KeysSourceOptions = {},
  ) {}

  async *files(): AsyncIterable<LogFileRef> {
    const maxObject = this.opts.maxObjectBytes ?? 256 * MiB;
    const prepared = orderedMap(this.items, (item) => this.prepare(item, maxObject), {
      concurrency: this.opts.concurrency ?? 8,
      weight: (item) => Math.min(item.size, maxObject),
      maxWeight: this.opts.maxBufferedBytes ?? 64 * MiB,
    });
    for await (const p of prepared) {
      if (p.transient) throw new TransientError(`${p.ref.id}: ${p.transient}`);
      if (!p.ref.skip) this.pending.set(p.ref.id, p);
      yield p.ref;
    }
  }

  private async prepare(item: S3KeyItem, maxObject: number): Promise<Prepared> {
    const ref: LogFileRef = { id: `s3://${this.bucket}/${item.key}`, size: item.size };
    const prefix = this.opts.requiredPrefix;
    if (prefix !== undefined && !item.key.startsWith(prefix)) {
      return { ref, content: { records: [], invalid: [], error: `not read: the key is outside the trail's log folder (${prefix})`, bytes: 0 } };
    }
    if (isDigestKey(item.key)) return { ref: { ...ref, skip: "CloudTrail digest file (integrity data, no events)" } };
    if (!isLogFileName(item.key)) return { ref: { ...ref, skip: "not a log file name (.json, .json.gz, .jsonl, .gz, .zip)" } };
    if (item.size > maxObject) {
      return { ref, content: { records: [], invalid: [], error: `object is ${(item.size / MiB).toFixed(0)} MiB, more than the ${(maxObject / MiB).toFixed(0)} MiB read per object`, bytes: 0 } };
    }
    const got = await fetchObject(this.s3, this.bucket, item.key, maxObject);
    if (got.status === "gone") return { ref, content: { records: [], invalid: [], skipped: `deleted after it was listed (${got.reason})`, bytes: 0 } };
    if (got.status === "error") return got.transient ? { ref, transient: got.reason } : { ref, content: { records: [], invalid: [], error: got.reason, bytes: 0 } };
    return { ref, body: got.body };
  }

  async read(file: LogFileRef): Promise<LogFileContent> {
    const p = this.pending.get(file.id);
    if (!p) throw new Error(`${file.id} is not a file of this batch`);
    this.pending.delete(file.id);
    if (p.content) return p.content;
    return decodeLogBytes(p.body!, file.id);
  }
}
