/**
 * Lists the entries of a zip archive from its central directory (ZIP64 included), without
 * decompressing anything, so every limit can be applied before a byte is inflated. The sizes an
 * archive declares are only hints: inflation enforces the real limits as it goes.
 */

/** One file in a zip archive. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate; anything else is not read. */
  method: number;
  /** General purpose flags (bit 0: encrypted). */
  flags: number;
  compressedSize: number;
  /** Uncompressed size as declared by the archive (a hint, not trusted). */
  size: number;
  localHeaderOffset: number;
}

/** The entries found, and what went wrong when the archive is damaged. */
export interface ZipListing {
  entries: ZipEntry[];
  /** The archive declares more entries than `maxEntries`; only the first ones are listed. */
  moreEntries?: number;
  /** Why the listing is incomplete or came from the local headers (no usable central directory). */
  fault?: string;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

function u64(buf: Buffer, p: number): number {
  return Number(buf.readBigUInt64LE(p));
}

function findEocd(buf: Buffer): number {
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let p = buf.length - 22; p >= lowest; p--) {
    if (buf.readUInt32LE(p) === EOCD && p + 22 + buf.readUInt16LE(p + 20) <= buf.length) return p;
  }
  return -1;
}

/** Values of the ZIP64 extended information extra field, in the order the spec gives them. */
function zip64Values(buf: Buffer, extraStart: number, extraEnd: number): number[] {
  for (let p = extraStart; p + 4 <= extraEnd; ) {
    const id = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    if (id === 0x0001) {
      const out: number[] = [];
      for (let q = p + 4; q + 8 <= Math.min(p + 4 + len, extraEnd); q += 8) out.push(u64(buf, q));
      return out;
    }
    p += 4 + len;
  }
  return [];
}

/** Lists at most `maxEntries` entries. Never throws for a damaged archive: see `fault`. */
export function listZipEntries(buf: Buffer, maxEntries: number): ZipListing {
  const eocd = buf.length >= 22 ? findEocd(buf) : -1;
  if (eocd < 0) return fromLocalHeaders(buf, maxEntries, "no central directory (the archive is cut off or damaged)");
  let total = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if ((total === 0xffff || cdOffset === MAX32) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
    const z = u64(buf, eocd - 20 + 8);
    if (z + 56 <= buf.length && buf.readUInt32LE(z) === ZIP64_EOCD) {
      total = u64(buf, z + 32);
      cdOffset = u64(buf, z + 48);
    }
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < total; i++) {
    if (entries.length >= maxEntries) return { entries, moreEntries: total - entries.length };
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) {
      const fromLocal = fromLocalHeaders(buf, maxEntries, `the central directory is damaged at entry ${i + 1} of ${total}`);
      return fromLocal.entries.length > entries.length ? fromLocal : { entries, fault: `the central directory is damaged at entry ${i + 1} of ${total}` };
    }
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    const nameStart = p + 46;
    if (nameStart + nameLen + extraLen > buf.length) return { entries, fault: `the central directory is cut off at entry ${i + 1} of ${total}` };
    if (size === MAX32 || compressedSize === MAX32 || localHeaderOffset === MAX32) {
      const v = zip64Values(buf, nameStart + nameLen, nameStart + nameLen + extraLen);
      let k = 0;
      if (size === MAX32) size = v[k++] ?? size;
      if (compressedSize === MAX32) compressedSize = v[k++] ?? compressedSize;
      if (localHeaderOffset === MAX32) localHeaderOffset = v[k++] ?? localHeaderOffset;
    }
    entries.push({
      name: buf.toString("utf8", nameStart, nameStart + nameLen),
      method: buf.readUInt16LE(p + 10),
      flags: buf.readUInt16LE(p + 8),
      compressedSize,
      size,
      localHeaderOffset,
    });
    p = nameStart + nameLen + extraLen + commentLen;
  }
  return { entries };
}

/**
 * Walks the local file headers from the start: what can still be read of an archive whose central
 * directory is missing (a cut-off download). Stops at the first entry whose size its header does
 * not state (written with a data descriptor).
 */
function fromLocalHeaders(buf: Buffer, maxEntries: number, why: string): ZipListing {
  const entries: ZipEntry[] = [];
  let p = 0;
  let stopped = "";
  while (p + 30 <= buf.length && buf.readUInt32LE(p) === LOCAL) {
    if (entries.length >= maxEntries) return { entries, moreEntries: 1, fault: why };
    const flags = buf.readUInt16LE(p + 6);
    const nameLen = buf.readUInt16LE(p + 26);
    const extraLen = buf.readUInt16LE(p + 28);
    let compressedSize = buf.readUInt32LE(p + 18);
    let size = buf.readUInt32LE(p + 22);
    if (compressedSize === MAX32 || size === MAX32) {
      const v = zip64Values(buf, p + 30 + nameLen, p + 30 + nameLen + extraLen);
      if (size === MAX32) size = v[0] ?? size;
      if (compressedSize === MAX32) compressedSize = v[1] ?? compressedSize;
    }
    if (flags & 0x08) {
      stopped = "; an entry without sizes in its local header ends the readable part";
      break;
    }
    entries.push({ name: buf.toString("utf8", p + 30, Math.min(buf.length, p + 30 + nameLen)), method: buf.readUInt16LE(p + 8), flags, compressedSize, size, localHeaderOffset: p });
    p += 30 + nameLen + extraLen + compressedSize;
  }
  return { entries, fault: `${why}; read ${entries.length} entr${entries.length === 1 ? "y" : "ies"} from the local headers${stopped}` };
}

/** The compressed bytes of an entry, or why they cannot be had. */
export function entryData(buf: Buffer, e: ZipEntry): Buffer | string {
  const p = e.localHeaderOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL) return "its local header is missing or damaged";
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  if (start > buf.length) return "its data is cut off";
  // A cut-off last entry still gives what is there (inflation reports the cut).
  return buf.subarray(start, Math.min(buf.length, start + e.compressedSize));
}
