import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";

/** Digest files are a few KB to a few MB; anything far larger is not one. */
export const MAX_DIGEST_BYTES = 64 * 2 ** 20;

/** Gunzips a digest file, refusing more than `max` bytes of output (a gzip bomb is not a digest). */
export function inflateDigest(buf: Buffer, max = MAX_DIGEST_BYTES): { content: Buffer } | { error: string } {
  try {
    return { content: gunzipSync(buf, { maxOutputLength: max }) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") return { error: `more than ${max / 2 ** 20} MiB uncompressed: not a digest file` };
    return { error: `not gzip data (${(e as Error).message})` };
  }
}

/**
 * SHA-256 (hex) of the uncompressed content of a gzipped stream, computed while it streams (nothing
 * is held in memory). A stream that is not gzip, or breaks off, rejects with the reason.
 */
export async function sha256OfGzipStream(body: Readable): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(
    body,
    createGunzip(),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done();
      },
    }),
  );
  return hash.digest("hex");
}

/** SHA-256 (hex) of the uncompressed content of a gzipped buffer. */
export function sha256OfGzip(buf: Buffer): string {
  return createHash("sha256").update(gunzipSync(buf)).digest("hex");
}
