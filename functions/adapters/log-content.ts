import { isAscii } from "node:buffer";
import { decodeLogText } from "../core/record/decode";
import type { ReadOptions } from "../core/ports";
import { formatBytes, MAX_LISTED_PROBLEMS, READ_LIMITS, type ReadLimits } from "../core/record/limits";
import type { LogFileContent } from "../core/ports";
import { gunzipBounded, inflateEntry, type Inflated } from "./gzip-bounded";
import { entryData, listZipEntries, type ZipEntry } from "./zip-entries";

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

/** What one file may still yield: shared by every archive entry and nested container inside it. */
interface Budget {
  /** Bytes of text still allowed (an archive's total; a plain or gzip file's own limit). */
  text: number;
  /** Archive entries still allowed. */
  entries: number;
}

/**
 * Decodes the bytes of one log file (gzip, zip, nested containers, plain text) into records. Never
 * throws: every problem is returned as `error`/`invalid` naming `source`, and every good record is
 * kept. Every limit in `limits` holds while decompressing: a gzip or zip bomb is stopped at the
 * limit, reported with the limit it crossed, and the records in what was inflated before it are read.
 */
export async function decodeLogBytes(buf: Buffer, source: string, limits: ReadLimits = READ_LIMITS, read: ReadOptions = {}): Promise<LogFileContent> {
  return decode(buf, source, 0, { text: limits.maxTextBytes, entries: limits.maxArchiveEntries }, limits, read);
}

async function decode(buf: Buffer, source: string, depth: number, budget: Budget, limits: ReadLimits, read: ReadOptions): Promise<LogFileContent> {
  if (buf.length === 0) return { records: [], invalid: [], error: "empty file (0 bytes)", bytes: 0 };
  const faults: string[] = [];
  let data = buf;
  if (isZip(buf) || isGzip(buf)) {
    if (depth + 1 > limits.maxContainerDepth) {
      return { records: [], invalid: [], error: `archives nested more than ${limits.maxContainerDepth} deep (the limit); not opened`, bytes: 0 };
    }
    if (isZip(buf)) return decodeZip(buf, source, depth + 1, budget, limits, read);
    const inflated: Inflated = await gunzipBounded(buf, Math.min(limits.maxTextBytes, budget.text), limits.maxArchiveEntries);
    faults.push(...inflated.faults);
    data = inflated.data;
    if (isZip(data) || isGzip(data)) {
      // A container inside the gzip (a .zip.gz, a doubly gzipped file): open it in turn.
      const inner = await decode(data, source, depth + 1, budget, limits, read);
      return faults.length ? withError(inner, faults.join("; ")) : inner;
    }
  } else if (/\.gz$/i.test(source)) {
    return { records: [], invalid: [], error: "not gzip data although the name ends in .gz (first bytes are not 1f 8b)", bytes: 0 };
  }
  const max = Math.min(limits.maxTextBytes, budget.text);
  if (data.length > max) {
    faults.push(`${formatBytes(data.length)} of text is more than the ${formatBytes(max)} limit for one file; read the first ${formatBytes(max)}`);
    data = data.subarray(0, max);
  }
  budget.text -= data.length;
  // Selective decoding (only the records a rule can see are parsed) when the caller brings it.
  const decoded = (read.filter && read.selective?.(data, source, limits, read.filter)) || decodeLogText(textOf(data), source, limits);
  const error = [...faults, decoded.error].filter(Boolean).join("; ") || undefined;
  return {
    records: decoded.records,
    ...(decoded.where ? { where: decoded.where } : {}),
    invalid: decoded.invalid,
    ...(decoded.moreInvalid ? { moreInvalid: decoded.moreInvalid } : {}),
    ...(decoded.unparsed ? { unparsed: decoded.unparsed } : {}),
    ...(decoded.recordIndex ? { recordIndex: decoded.recordIndex } : {}),
    ...(decoded.notCloudTrail && !error ? { skipped: `not CloudTrail: ${decoded.notCloudTrail}` } : {}),
    ...(error ? { error: decoded.notCloudTrail ? `${error}; ${decoded.notCloudTrail}` : error } : {}),
    bytes: data.length,
  };
}

/** The text of a file: UTF-8, or UTF-16 when a byte order mark says so (PowerShell writes UTF-16 LE). */
function textOf(data: Buffer): string {
  // Node 20 decodes UTF-8 at a few hundred MB/s; ASCII text (most logs) is the same read as latin1, several times faster.
  if (isAscii(data)) return data.toString("latin1");
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return data.toString("utf16le", 2, 2 + ((data.length - 2) & ~1));
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) {
    const copy = Buffer.from(data.subarray(2, 2 + ((data.length - 2) & ~1)));
    return copy.swap16().toString("utf16le");
  }
  return data.toString("utf8");
}

function withError(c: LogFileContent, error: string): LogFileContent {
  const { skipped: _skipped, ...rest } = c;
  return { ...rest, error: c.error ? `${error}; ${c.error}` : error };
}

async function decodeZip(buf: Buffer, source: string, depth: number, budget: Budget, limits: ReadLimits, read: ReadOptions): Promise<LogFileContent> {
  // A zip opened at the top has the archive total as its text budget; a nested one shares its parent's.
  if (depth === 1) budget.text = limits.maxArchiveTextBytes;
  const listing = listZipEntries(buf, budget.entries);
  const out: LogFileContent = { records: [], invalid: [], bytes: 0 };
  const where: string[] = [];
  let labelled = false;
  const errors: string[] = [];
  if (listing.fault) errors.push(`zip archive: ${listing.fault}`);
  if (listing.moreEntries) errors.push(`zip archive has more than ${limits.maxArchiveEntries} entries (the limit); ${listing.moreEntries} not read`);
  for (const [k, e] of listing.entries.entries()) {
    if (budget.entries <= 0) {
      errors.push(`zip archive has more than ${limits.maxArchiveEntries} entries (the limit, nested archives included); ${listing.entries.length - k} not read`);
      break;
    }
    budget.entries--;
    const name = e.name;
    if (name.endsWith("/") || /(^|\/)(__MACOSX|\.)/.test(name) || isDigestKey(name) || !isLogFileName(name)) continue;
    if (budget.text <= 0) {
      const left = listing.entries.slice(k).filter((x) => isLogFileName(x.name)).length;
      errors.push(`the archive yielded ${formatBytes(limits.maxArchiveTextBytes)} of text (the limit for one archive); ${left} more entr${left === 1 ? "y was" : "ies were"} not read, from ${name}`);
      break;
    }
    const byArchive = budget.text < limits.maxTextBytes;
    const entry = await readEntry(buf, e, Math.min(limits.maxTextBytes, budget.text));
    if (typeof entry === "string") {
      errors.push(`${name}: ${entry}`);
      continue;
    }
    let inner = await decode(entry.data, `${source}!${name}`, depth, budget, limits, read);
    if (entry.overLimit && byArchive) entry.faults = [`the archive reached its ${formatBytes(limits.maxArchiveTextBytes)} text limit (the limit for one archive) in this entry; read its first ${formatBytes(entry.data.length)}`];
    if (entry.faults.length) inner = withError(inner, entry.faults.join("; "));
    if (inner.where || out.records.length > 0 || inner.records.length > 0) labelled = true;
    for (let i = 0; i < inner.records.length; i++) {
      out.records.push(inner.records[i]!);
      where.push(`${name} ${inner.where?.[i] ?? `Records[${inner.recordIndex?.[i] ?? i}]`}`);
    }
    let unlisted = inner.moreInvalid ?? 0;
    for (const r of inner.invalid) {
      if (out.invalid.length < MAX_LISTED_PROBLEMS) out.invalid.push(r);
      else unlisted++;
    }
    if (unlisted) out.moreInvalid = (out.moreInvalid ?? 0) + unlisted;
    out.bytes += inner.bytes;
    if (inner.unparsed) out.unparsed = (out.unparsed ?? 0) + inner.unparsed;
    if (inner.error) errors.push(`${name}: ${inner.error}`);
  }
  if (labelled && out.records.length > 0) out.where = where;
  if (errors.length) out.error = errors.join("; ");
  return out;
}

/** Inflates one entry (stored or deflate) within `limit` bytes; a string says why it cannot be read. */
async function readEntry(buf: Buffer, e: ZipEntry, limit: number): Promise<Inflated | string> {
  if (e.flags & 0x01) return "encrypted; not read";
  const data = entryData(buf, e);
  if (typeof data === "string") return data;
  if (e.method === 0) {
    if (data.length > limit) return { data: data.subarray(0, limit), faults: [`stored entry is more than ${formatBytes(limit)}; read the first ${formatBytes(limit)}`], overLimit: true };
    return { data, faults: data.length < e.compressedSize ? ["its data is cut off"] : [], overLimit: false };
  }
  if (e.method !== 8) return `compression method ${e.method} is not supported (only stored and deflate); not read`;
  return inflateEntry(data, limit, e.size);
}
