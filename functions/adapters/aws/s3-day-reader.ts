import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { LogFileContent, LogFileRef, LogSource } from "../../core/ports";
import { formatBytes, READ_LIMITS } from "../../core/record/limits";
import { decodeLogBytes, isDigestKey, isLogFileName } from "../log-content";
import { classifyAwsError } from "./transient-error";

/** One object of a listing. */
export interface S3ObjectRef {
  key: string;
  size: number;
}

/** A day's log files, and what the listing left out and why (counted, never silently). */
export interface DayListing {
  files: S3ObjectRef[];
  skipped: { digest: number; empty: number; notLogFile: number };
  pages: number;
}

/**
 * Lists every log file under a prefix, following ListObjectsV2 continuation tokens to the end (a
 * busy day has thousands of files, more than one page holds). Digest files, empty objects
 * and names that are not log files are counted and left out.
 */
export async function listDayLogFiles(s3: S3Client, bucket: string, prefix: string, opts: { pageSize?: number } = {}): Promise<DayListing> {
  const out: DayListing = { files: [], skipped: { digest: 0, empty: 0, notLogFile: 0 }, pages: 0 };
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: opts.pageSize }));
    } catch (e) {
      throw classifyAwsError(e, `listing s3://${bucket}/${prefix}`);
    }
    out.pages++;
    for (const o of page.Contents ?? []) {
      const key = o.Key!;
      const size = o.Size ?? 0;
      if (isDigestKey(key)) out.skipped.digest++;
      else if (size === 0) out.skipped.empty++;
      else if (!isLogFileName(key)) out.skipped.notLogFile++;
      else out.files.push({ key, size });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Reads an object's bytes; undefined when there is no such key. Other failures are classified (transient or not). */
export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  } catch (e) {
    if ((e as { name?: string }).name === "NoSuchKey") return undefined;
    throw classifyAwsError(e, `reading s3://${bucket}/${key}`);
  }
}

/** Reads an object as UTF-8 text; undefined when there is no such key. */
export async function getObjectText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const bytes = await getObjectBytes(s3, bucket, key);
  return bytes?.toString("utf8");
}

/** Writes one object (the whole file, once). */
export async function putObjectText(s3: S3Client, bucket: string, key: string, body: string, contentType: string): Promise<void> {
  try {
    // An explicit length: the SDK cannot infer it for an empty body and would warn about streams.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: Buffer.byteLength(body) }));
  } catch (e) {
    throw classifyAwsError(e, `writing s3://${bucket}/${key}`);
  }
}

/**
 * The log files of a listing as a {@link LogSource}. A file deleted between listing and reading is
 * reported as unreadable; throttling and 5xx errors surface as `TransientError` (the step is retried);
 * any other error (e.g. access denied, a KMS key the role cannot use) stops the read, because then
 * the day cannot be read at all.
 */
export class S3ObjectsLogSource implements LogSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly objects: readonly S3ObjectRef[],
  ) {}

  async *files(): AsyncIterable<LogFileRef> {
    for (const o of this.objects) yield { id: `s3://${this.bucket}/${o.key}`, size: o.size };
  }

  async read(file: LogFileRef): Promise<LogFileContent> {
    const max = READ_LIMITS.maxStoredBytes;
    if ((file.size ?? 0) > max) {
      return { records: [], invalid: [], error: `object is ${formatBytes(file.size!)}, more than the ${formatBytes(max)} limit for one file; not read`, bytes: 0 };
    }
    const key = file.id.slice(`s3://${this.bucket}/`.length);
    const bytes = await getObjectBytes(this.s3, this.bucket, key);
    if (!bytes) return { records: [], invalid: [], error: "the object was deleted after it was listed", bytes: 0 };
    return decodeLogBytes(bytes, file.id);
  }
}

/** True when the object exists (HeadObject); false for 404. Needs s3:ListBucket to tell 404 from 403. */
export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata?.httpStatusCode === 404) return false;
    throw classifyAwsError(e, `checking s3://${bucket}/${key}`);
  }
}
