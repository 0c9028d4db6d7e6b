import { promisify } from "node:util";
import { constants, gunzip, gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";
import { decodeLogText } from "../core/record/decode";
import type { LogFileContent } from "../core/ports";

const gunzipAsync = promisify(gunzip);

/** Largest text V8 can hold in one string (about 512 MiB); a bigger file is reported, not crashed on. */
const MAX_TEXT = 0x1fffffe8;

/** True for CloudTrail's integrity digest files, which hold no events. */
export function isDigestKey(key: string): boolean {
  return /CloudTrail-Digest/i.test(key);
}

/** File names trailwatch reads; anything else is skipped with a reason. */
export function isLogFileName(name: string): boolean {
  return /\.(json|jsonl|ndjson)(\.gz)?$/i.test(name) || /\.gz$/i.test(name) || /\.zip$/i.test(name);
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}
function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/**
 * Output chunk size for gunzip: the uncompressed size that the gzip trailer states (ISIZE, the last 4
 * bytes), clamped. With Node's default 16 KiB chunks a 4 MB log file costs about 250 round trips
 * between the thread pool and the main thread plus a Buffer.concat, which on one core cost more than
 * the inflation itself (scan benchmark, scripts/bench/scan.ts); one right-sized chunk avoids both. The
 * trailer is only a hint (multi-member files, damage): a wrong value just means more chunks.
 */
function gunzipChunkSize(buf: Buffer): number {
  const isize = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0;
  return Math.min(Math.max(isize + 1, 64 * 1024), 64 * 2 ** 20);
}

/** Below this compressed size gunzip runs inline: a zlib stream and a thread-pool round trip cost more than inflating. */
const INLINE_GUNZIP_BYTES = 64 * 1024;

/** Gunzips; on a truncated or corrupt stream returns what could be inflated plus the reason. */
async function inflate(buf: Buffer): Promise<{ data: Buffer; error?: string }> {
  try {
    const chunkSize = gunzipChunkSize(buf);
    return { data: buf.length < INLINE_GUNZIP_BYTES ? gunzipSync(buf, { chunkSize }) : await gunzipAsync(buf, { chunkSize }) };
  } catch (e) {
    const reason = (e as Error).message;
    try {
      const partial = gunzipSync(buf, { finishFlush: constants.Z_SYNC_FLUSH });
      return { data: partial, error: `gzip data is damaged (${reason}); read the ${partial.length} bytes before the fault` };
    } catch {
      return { data: Buffer.alloc(0), error: `gzip data is damaged (${reason})` };
    }
  }
}

/**
 * Decodes the bytes of one log file (gzip, zip or plain text) into records. Never throws: every
 * problem is returned as `error`/`invalid` naming `source`, and every good record is kept.
 */
export async function decodeLogBytes(buf: Buffer, source: string): Promise<LogFileContent> {
  if (buf.length === 0) return { records: [], invalid: [], error: "empty file (0 bytes)", bytes: 0 };
  if (isZip(buf)) return decodeZip(buf, source);
  let data = buf;
  let gzError: string | undefined;
  if (isGzip(buf)) {
    const r = await inflate(buf);
    data = r.data;
    gzError = r.error;
  } else if (/\.gz$/i.test(source)) {
    return { records: [], invalid: [], error: "not gzip data although the name ends in .gz (first bytes are not 1f 8b)", bytes: 0 };
  }
  if (data.length > MAX_TEXT) {
    return { records: [], invalid: [], error: `uncompressed size ${(data.length / 2 ** 20).toFixed(0)} MiB is more than one JSON document can hold here (512 MiB)`, bytes: 0 };
  }
  const text = data.toString("utf8");
  const decoded = decodeLogText(text, source);
  const error = [gzError, decoded.error].filter(Boolean).join("; ") || undefined;
  return {
    records: decoded.records,
    invalid: decoded.invalid,
    ...(decoded.notCloudTrail && !error ? { skipped: `not CloudTrail: ${decoded.notCloudTrail}` } : {}),
    ...(error ? { error: decoded.notCloudTrail ? `${error}; ${decoded.notCloudTrail}` : error } : {}),
    bytes: data.length,
  };
}

async function decodeZip(buf: Buffer, source: string): Promise<LogFileContent> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(buf);
  } catch (e) {
    return { records: [], invalid: [], error: `zip archive is damaged (${(e as Error).message})`, bytes: 0 };
  }
  const out: LogFileContent = { records: [], invalid: [], bytes: 0 };
  const errors: string[] = [];
  for (const [name, bytes] of Object.entries(entries)) {
    if (name.endsWith("/") || bytes.length === 0 || /(^|\/)(__MACOSX|\.)/.test(name) || isDigestKey(name)) continue;
    if (!isLogFileName(name)) continue;
    const inner = await decodeLogBytes(Buffer.from(bytes), `${source}!${name}`);
    for (const r of inner.records) out.records.push(r);
    for (const r of inner.invalid) out.invalid.push(r);
    out.bytes += inner.bytes;
    if (inner.error) errors.push(`${name}: ${inner.error}`);
  }
  if (errors.length) out.error = errors.join("; ");
  return out;
}
