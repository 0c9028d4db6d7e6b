import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { classifyAwsError } from "./transient-error";

/** S3's smallest part (all but the last); parts are sent once this much is buffered. */
export const MIN_PART_BYTES = 5 * 2 ** 20;
/** S3 allows at most 10,000 parts per upload. */
const MAX_PARTS = 10_000;

/**
 * Writes one S3 object from many small pieces of text (a manifest of millions of keys, a results file
 * of many alerts) without holding it whole: text is buffered up to `partBytes` and sent as a
 * multipart upload; an object that never reaches one part is written with one PutObject. A failure
 * aborts the upload (no orphaned parts) and throws, classified (`TransientError` for throttling and
 * 5xx, so a Step Functions Retry can run the step again).
 */
export class S3ObjectWriter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private uploadId: string | undefined;
  private readonly parts: { ETag: string; PartNumber: number }[] = [];
  private written = 0;
  private closed = false;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly opts: { contentType: string; partBytes?: number },
  ) {}

  /** Bytes accepted so far. */
  get bytes(): number {
    return this.written;
  }

  /** Appends text; sends a part when enough is buffered. */
  async write(text: string): Promise<void> {
    if (this.closed) throw new Error(`s3://${this.bucket}/${this.key} is already closed`);
    if (text.length === 0) return;
    const b = Buffer.from(text, "utf8");
    this.chunks.push(b);
    this.buffered += b.length;
    this.written += b.length;
    if (this.buffered >= (this.opts.partBytes ?? MIN_PART_BYTES)) await this.flushPart();
  }

  /** Sends what is buffered and completes the object. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.uploadId === undefined) {
        const body = Buffer.concat(this.chunks);
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body, ContentType: this.opts.contentType, ContentLength: body.length }));
      } else {
        if (this.buffered > 0) await this.sendPart();
        await this.s3.send(
          new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts } }),
        );
      }
    } catch (e) {
      await this.abort();
      throw classifyAwsError(e, `writing s3://${this.bucket}/${this.key}`);
    } finally {
      this.chunks = [];
      this.buffered = 0;
    }
  }

  /** Gives up: aborts a started multipart upload (best effort). */
  async abort(): Promise<void> {
    this.closed = true;
    const id = this.uploadId;
    this.uploadId = undefined;
    if (id !== undefined) await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: id })).catch(() => undefined);
  }

  private async flushPart(): Promise<void> {
    try {
      if (this.uploadId === undefined) {
        const res = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: this.opts.contentType }));
        if (!res.UploadId) throw new Error("CreateMultipartUpload returned no UploadId");
        this.uploadId = res.UploadId;
      }
      await this.sendPart();
    } catch (e) {
      await this.abort();
      throw classifyAwsError(e, `writing s3://${this.bucket}/${this.key}`);
    }
  }

  private async sendPart(): Promise<void> {
    if (this.parts.length >= MAX_PARTS) throw new Error(`more than ${MAX_PARTS} parts: raise the part size`);
    const body = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    const PartNumber = this.parts.length + 1;
    const res = await this.s3.send(new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, PartNumber, Body: body, ContentLength: body.length }));
    if (!res.ETag) throw new Error(`UploadPart ${PartNumber} returned no ETag`);
    this.parts.push({ ETag: res.ETag, PartNumber });
  }
}
