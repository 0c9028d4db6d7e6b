/**
 * The bounds trailwatch keeps while reading a log file, whoever wrote it. Every one is enforced
 * while reading (never after the whole input is in memory), and crossing one is reported with the
 * file, the limit and what was kept: records before the point where reading stopped are still scanned.
 *
 * Sizes were chosen from CloudTrail itself: records in the corpora used by the tests are at most
 * 7.6 KB and 11 levels deep; CloudTrail's largest event size setting ("Large") is 1 MB; busy accounts'
 * delivery files are a few MB to a few tens of MB of JSON. The file bound is what keeps memory
 * bounded: the CLI and the log analyzer hold at most two files' records at once (the one being
 * evaluated and the next one being read), so their peak memory follows this number, not the input.
 */

const MiB = 2 ** 20;

/** Most bytes read from disk or S3 for one file (compressed or not); a bigger file is read up to here. */
export const MAX_STORED_FILE_BYTES = 128 * MiB;

/** Most bytes of text one file yields once decompressed; inflating stops here (gzip and zip bombs). */
export const MAX_FILE_TEXT_BYTES = 128 * MiB;

/** Most entries read from one zip archive (nested archives included), or members from one damaged gzip file. */
export const MAX_ARCHIVE_ENTRIES = 10_000;

/** Most bytes of text all entries of one zip archive yield together. */
export const MAX_ARCHIVE_TEXT_BYTES = 256 * MiB;

/**
 * Most containers around the text: a `.json.gz` is 1, a `.zip` of `.json.gz` files 2, a zip inside
 * that zip 3. A deeper entry is not opened.
 */
export const MAX_CONTAINER_DEPTH = 3;

/** Largest single record: twice CloudTrail's largest event size setting (1 MB). A bigger one is reported, not parsed. */
export const MAX_RECORD_BYTES = 2 * MiB;

/**
 * Deepest nesting inside one record (the record object itself is level 1). Rules, alert context and
 * JSON output walk record values; 64 levels keeps every such walk far from a stack overflow while
 * real records (at most 11 levels in the corpora) stay far below it.
 */
export const MAX_RECORD_DEPTH = 64;

/**
 * Text parsed whole (the fast path) may hold at most one object or array per this many bytes;
 * CloudTrail has about one per 170. Denser text, such as `[{},{},...]`, costs about 22 bytes of
 * heap per byte when parsed whole, so it is read record by record instead, where memory follows the
 * records kept, not the text. Checked for texts over {@link DENSITY_CHECK_BYTES}: below that even the
 * densest text stays within a few hundred MB.
 */
export const MIN_BYTES_PER_CONTAINER = 16;

/** Texts longer than this are checked for density (see {@link MIN_BYTES_PER_CONTAINER}) before being parsed whole. */
export const DENSITY_CHECK_BYTES = 8 * MiB;

/** Problems listed per file (each invalid record is still counted); the rest are counted, not kept. */
export const MAX_LISTED_PROBLEMS = 1000;

/** Limits on the records inside a file's text (see {@link MAX_RECORD_BYTES}, {@link MAX_RECORD_DEPTH}). */
export interface RecordLimits {
  maxRecordBytes: number;
  maxRecordDepth: number;
  /** See {@link DENSITY_CHECK_BYTES}. */
  densityCheckBytes: number;
}

/** Limits on reading and decompressing one file. */
export interface ReadLimits extends RecordLimits {
  maxStoredBytes: number;
  maxTextBytes: number;
  maxArchiveEntries: number;
  maxArchiveTextBytes: number;
  maxContainerDepth: number;
}

/** The limits trailwatch runs with. Tests pass smaller ones to exercise each bound quickly. */
export const READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxStoredBytes: MAX_STORED_FILE_BYTES,
  maxTextBytes: MAX_FILE_TEXT_BYTES,
  maxArchiveEntries: MAX_ARCHIVE_ENTRIES,
  maxArchiveTextBytes: MAX_ARCHIVE_TEXT_BYTES,
  maxContainerDepth: MAX_CONTAINER_DEPTH,
  maxRecordBytes: MAX_RECORD_BYTES,
  maxRecordDepth: MAX_RECORD_DEPTH,
  densityCheckBytes: DENSITY_CHECK_BYTES,
});

/** "128 MiB", "2 MiB", "512 KiB", "900 bytes": sizes in messages. */
export function formatBytes(n: number): string {
  if (n >= MiB) return `${+(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}
