import type { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { LogFileContent, LogFileRef, LogSource } from "../../core/ports";
import { formatBytes, READ_LIMITS, type ReadLimits } from "../../core/record/limits";
import { decodeLogBytes } from "../log-content";
import { awsErrorName, isTransientAwsError } from "./aws-error";
import { skipReason, type ObjectRef } from "./notifications";

/** `s3://bucket/key`, the id every message about an object uses. */
export function s3Uri(o: Pick<ObjectRef, "bucket" | "key">): string {
  return `s3://${o.bucket}/${o.key}`;
}

/**
 * Reading an object failed in a way that is not about its content. `transient` (throttling, 5xx, a
 * dropped connection) means a later retry may succeed; otherwise (access denied, a KMS key the
 * function may not use) a person has to fix something, and the message should end in the DLQ.
 */
export class S3ReadError extends Error {
  override name = "S3ReadError";
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An object whose GetObject succeeded; its body has not been read yet. */
export interface OpenedObject {
  id: string;
  object: ObjectRef;
  /** The ETag S3 returned (no quotes): the identity of the content that will be read. */
  etag: string;
  versionId?: string;
  size?: number;
  /** Reads the body and decodes it (gzip, zip or plain). Throws {@link S3ReadError} if the transfer breaks. */
  read(): Promise<LogFileContent>;
  /** Drops the body unread (e.g. the object was already processed). */
  discard(): void;
}

/** GetObject's outcome: an open object, or gone (deleted or expired since the notification). */
export type OpenResult = { status: "open"; opened: OpenedObject } | { status: "gone"; reason: string };

const GONE = new Set(["NoSuchKey", "NoSuchVersion", "NotFound", "NoSuchBucket"]);

/**
 * The objects one notification announced, as a {@link LogSource}. Each object is fetched with
 * GetObject and decoded in memory, one at a time (memory grows with the largest object, not the
 * batch); at most `limits.maxStoredBytes` of a body are downloaded and its text is inflated under the
 * same limits as local files. Digest files and non-log names are yielded with a `skip` reason. `open()` splits the fetch
 * from the body so a caller can claim the object by its ETag before reading it.
 */
export class S3LogSource implements LogSource {
  private readonly byId = new Map<string, ObjectRef>();

  constructor(
    private readonly s3: Pick<S3Client, "send">,
    private readonly objects: readonly ObjectRef[],
    private readonly opts: { limits?: ReadLimits } = {},
  ) {
    for (const o of objects) this.byId.set(s3Uri(o), o);
  }

  async *files(): AsyncIterable<LogFileRef> {
    for (const o of this.objects) {
      const skip = skipReason(o.key);
      yield { id: s3Uri(o), ...(o.size !== undefined ? { size: o.size } : {}), ...(skip ? { skip } : {}) };
    }
  }

  /** Port method: fetch and decode. A deleted object is `skipped`; other S3 failures throw {@link S3ReadError}. */
  async read(file: LogFileRef): Promise<LogFileContent> {
    const o = this.byId.get(file.id);
    if (!o) throw new Error(`${file.id} is not one of this source's objects`);
    const res = await this.open(o);
    if (res.status === "gone") return { records: [], invalid: [], skipped: res.reason, bytes: 0 };
    return res.opened.read();
  }

  /** GetObject (the announced version when there is one), without reading the body yet. */
  async open(o: ObjectRef): Promise<OpenResult> {
    const id = s3Uri(o);
    let out;
    try {
      out = await this.s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key, ...(o.versionId ? { VersionId: o.versionId } : {}) }));
    } catch (e) {
      const name = awsErrorName(e);
      if (GONE.has(name) || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        return { status: "gone", reason: `object no longer exists (${name}); nothing to read` };
      }
      const transient = isTransientAwsError(e);
      throw new S3ReadError(`GetObject ${id} failed: ${name}: ${(e as Error).message}`, transient, { cause: e });
    }
    // In Node the SDK's streaming body is a Readable.
    const body = out.Body as Readable | undefined;
    const etag = (out.ETag ?? o.etag ?? "").replace(/^"+|"+$/g, "");
    const limits = this.opts.limits ?? READ_LIMITS;
    const max = limits.maxStoredBytes;
    const size = out.ContentLength ?? o.size;
    const opened: OpenedObject = {
      id,
      object: o,
      etag,
      ...(out.VersionId && out.VersionId !== "null" ? { versionId: out.VersionId } : {}),
      ...(size !== undefined ? { size } : {}),
      discard: () => body?.destroy(),
      read: async () => {
        if (!body) return { records: [], invalid: [], error: "GetObject returned no body", bytes: 0 };
        const { buf, more } = await collect(body, id, max);
        const content = await decodeLogBytes(buf, id, limits);
        if (!more) return content;
        // Bigger than any legitimate log file: the first `max` bytes are read, the rest never downloaded.
        const cut = `object is ${size !== undefined ? formatBytes(size) : "larger than that"}, more than the ${formatBytes(max)} limit for one file; read its first ${formatBytes(max)}`;
        const { skipped: _notSkipped, ...rest } = content;
        return { ...rest, error: content.error ? `${cut}; ${content.error}` : cut };
      },
    };
    return { status: "open", opened };
  }
}

/** Reads the body up to `max` bytes (counted as they arrive); `more` when the object is longer. */
async function collect(body: Readable, id: string, max: number): Promise<{ buf: Buffer; more: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      if (total + b.length > max) {
        chunks.push(b.subarray(0, max - total));
        total = max;
        body.destroy();
        return { buf: Buffer.concat(chunks, total), more: true };
      }
      chunks.push(b);
      total += b.length;
    }
  } catch (e) {
    // The connection broke mid-transfer: the object is fine, the read is not; try again later.
    throw new S3ReadError(`reading the body of ${id} failed: ${(e as Error).message}`, true, { cause: e });
  }
  return { buf: Buffer.concat(chunks, total), more: false };
}
