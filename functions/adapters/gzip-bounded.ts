import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { formatBytes, MAX_ARCHIVE_ENTRIES } from "../core/record/limits";

const gunzipAsync = promisify(zlib.gunzip);

/** Below this compressed size gunzip runs inline: a zlib stream and a thread-pool round trip cost more than inflating. */
const INLINE_GUNZIP_BYTES = 64 * 1024;

/** What inflating produced: the bytes (never more than the limit) and every fault found on the way. */
export interface Inflated {
  data: Buffer;
  /** Problems, in the order found; the bytes before each are in `data`. */
  faults: string[];
  /** True when inflating stopped at the size limit. */
  overLimit: boolean;
}

/**
 * Output chunk size for gunzip: the uncompressed size that the gzip trailer states (ISIZE, the last 4
 * bytes), clamped. With Node's default 16 KiB chunks a 4 MB log file costs about 250 round trips
 * between the thread pool and the main thread plus a Buffer.concat, which on one core cost more than
 * the inflation itself (scan benchmark); one right-sized chunk avoids both. The trailer is only a
 * hint (multi-member files, damage, a hostile value): a wrong value just means more chunks, and the
 * output limit still holds.
 */
function gunzipChunkSize(buf: Buffer, limit: number): number {
  const isize = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0;
  return Math.min(Math.max(isize + 1, 64 * 1024), 64 * 2 ** 20, Math.max(limit + 1, 64 * 1024));
}

/**
 * Gunzips with a running output limit. Intact data takes Node's one-shot gunzip with
 * `maxOutputLength` (the limit is checked while inflating, chunk by chunk). On any fault the data is
 * inflated again member by member ({@link inflateMembers}), which keeps every byte that inflated
 * before the fault, so records before it can still be read.
 */
export async function gunzipBounded(buf: Buffer, limit: number, maxMembers = MAX_ARCHIVE_ENTRIES): Promise<Inflated> {
  try {
    const opts = { chunkSize: gunzipChunkSize(buf, limit), maxOutputLength: Math.max(limit, 1) };
    const data = buf.length < INLINE_GUNZIP_BYTES ? zlib.gunzipSync(buf, opts) : await gunzipAsync(buf, opts);
    return { data, faults: [], overLimit: false };
  } catch {
    return inflateMembers(buf, limit, maxMembers);
  }
}

/**
 * Output chunk of the careful inflation: a fault inside the compressed data loses at most the part
 * of one chunk that had not been handed over yet, and memory overshoots the limit by at most one chunk.
 */
const CAREFUL_CHUNK = 256 * 1024;

const FTEXT_MASK = 0xe0; // reserved flag bits: must be zero
const FHCRC = 0x02, FEXTRA = 0x04, FNAME = 0x08, FCOMMENT = 0x10;

/** Offset of the deflate data of the gzip member at `pos`, or a reason the header is unusable. */
function memberDataOffset(buf: Buffer, pos: number): number | string {
  if (buf.length - pos < 10) return "the gzip header is cut off";
  if (buf[pos + 2] !== 8) return `unknown gzip compression method ${buf[pos + 2]}`;
  const flags = buf[pos + 3]!;
  if (flags & FTEXT_MASK) return "the gzip header has reserved flags set";
  let p = pos + 10;
  if (flags & FEXTRA) {
    if (p + 2 > buf.length) return "the gzip header is cut off";
    p += 2 + buf.readUInt16LE(p);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const z = buf.indexOf(0, p);
      if (z < 0) return "the gzip header is cut off";
      p = z + 1;
    }
  }
  if (flags & FHCRC) p += 2;
  return p > buf.length ? "the gzip header is cut off" : p;
}

/** Raw-inflates one deflate stream from `input`, keeping at most `limit` bytes. */
function inflateRaw(input: Buffer, limit: number, chunkSize: number): Promise<{ chunks: Buffer[]; bytes: number; consumed: number; error?: string; overLimit: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const stream = zlib.createInflateRaw({ chunkSize });
    const finish = (r: { error?: string; overLimit: boolean }) => {
      if (done) return;
      done = true;
      resolve({ chunks, bytes, consumed: stream.bytesWritten, ...r });
    };
    stream.on("data", (c: Buffer) => {
      if (done) return;
      if (bytes + c.length > limit) {
        const keep = limit - bytes;
        if (keep > 0) chunks.push(c.subarray(0, keep));
        bytes = limit;
        finish({ overLimit: true });
        stream.destroy();
        return;
      }
      chunks.push(c);
      bytes += c.length;
    });
    stream.on("error", (e: Error) => finish({ error: e.message, overLimit: false }));
    stream.on("end", () => finish({ overLimit: false }));
    stream.end(input);
  });
}

/** CRC-32 of `chunks` (zlib's, when this Node has it). */
function crc32(chunks: Buffer[]): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  let crc = 0;
  if (native) {
    for (const c of chunks) crc = native(c, crc);
    return crc >>> 0;
  }
  crc = 0xffffffff;
  for (const c of chunks) for (let i = 0; i < c.length; i++) crc = CRC_TABLE[(crc ^ c[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * Inflates a gzip file member by member, verifying each member's trailer itself, so that a bad CRC,
 * a wrong length, trailing junk or a cut-off end is reported while every inflated byte is kept
 * (Node's gunzip throws those bytes away). Stops at `limit` output bytes, and after `maxMembers`
 * members (each costs a zlib stream).
 */
export async function inflateMembers(buf: Buffer, limit: number, maxMembers = MAX_ARCHIVE_ENTRIES): Promise<Inflated> {
  const out: Buffer[] = [];
  const faults: string[] = [];
  let total = 0;
  let pos = 0;
  let member = 0;
  let overLimit = false;
  while (pos < buf.length) {
    if (buf[pos] !== 0x1f || buf[pos + 1] !== 0x8b) {
      const rest = buf.subarray(pos);
      // Zero padding after the last member (tape and block devices write it) is not data.
      if (member === 0 || rest.some((b) => b !== 0)) faults.push(`${rest.length} byte(s) after the gzip data are not gzip (trailing junk, ignored)`);
      break;
    }
    const name = member === 0 ? "gzip data" : `gzip member ${member + 1}`;
    const start = memberDataOffset(buf, pos);
    if (typeof start === "string") {
      faults.push(`${name}: ${start}`);
      break;
    }
    if (member >= maxMembers) {
      faults.push(`more than ${maxMembers} gzip members; stopped reading there`);
      break;
    }
    const r = await inflateRaw(buf.subarray(start), limit - total, CAREFUL_CHUNK);
    for (const c of r.chunks) out.push(c);
    total += r.bytes;
    if (r.overLimit) {
      overLimit = true;
      faults.push(`inflates to more than ${formatBytes(limit)}, the limit for one file; stopped there and read the first ${formatBytes(limit)}`);
      break;
    }
    if (r.error) {
      const cut = /unexpected end/i.test(r.error);
      faults.push(cut ? `${name} is truncated (cut off after ${total} inflated bytes)` : `${name} is damaged (${r.error}) after ${total} inflated bytes`);
      break;
    }
    const trailer = start + r.consumed;
    if (trailer + 8 > buf.length) {
      faults.push(`${name}: the trailer (CRC and length) is cut off`);
      break;
    }
    const memberChunks = r.chunks;
    const crc = buf.readUInt32LE(trailer);
    const isize = buf.readUInt32LE(trailer + 4);
    const actual = crc32(memberChunks);
    if (crc !== actual) faults.push(`${name}: CRC-32 check failed (trailer ${hex(crc)}, data ${hex(actual)}): the data may be altered; its ${r.bytes} bytes were kept`);
    if (isize !== r.bytes % 2 ** 32) faults.push(`${name}: the length trailer says ${isize} bytes but ${r.bytes} inflated; they were kept`);
    pos = trailer + 8;
    member++;
  }
  return { data: out.length === 1 ? out[0]! : Buffer.concat(out, total), faults, overLimit };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Raw-inflates one zip entry (deflate), keeping at most `limit` bytes; faults are reported with the
 * bytes that inflated before them.
 */
export async function inflateEntry(compressed: Buffer, limit: number, sizeHint: number): Promise<Inflated> {
  const chunkSize = Math.min(Math.max(sizeHint + 1, 64 * 1024), 16 * 2 ** 20, Math.max(limit + 1, 64 * 1024));
  const r = await inflateRaw(compressed, limit, chunkSize);
  const data = r.chunks.length === 1 ? r.chunks[0]! : Buffer.concat(r.chunks, r.bytes);
  const faults: string[] = [];
  if (r.overLimit) faults.push(`inflates to more than ${formatBytes(limit)}; stopped there and read the first ${formatBytes(limit)}`);
  else if (r.error) faults.push(/unexpected end/i.test(r.error) ? `compressed data is cut off after ${r.bytes} inflated bytes` : `compressed data is damaged (${r.error}) after ${r.bytes} inflated bytes`);
  return { data, faults, overLimit: r.overLimit };
}
