import { readFileSync, type Stats } from "node:fs";
import { lstat, open, readFile, readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatBytes, READ_LIMITS, type ReadLimits } from "../../core/record/limits";
import type { LogFileContent, LogFileRef, LogSource, ReadOptions } from "../../core/ports";
import { decodeLogBytes, isDigestKey, isLogFileName } from "../log-content";

/** Files smaller than this are read synchronously (see `read`). */
const SMALL_FILE_BYTES = 256 * 1024;

/** What one walk has seen, by device and inode: a directory or file reached twice is read once. */
interface Seen {
  dirs: Map<string, string>;
  files: Map<string, string>;
}

const identity = (s: Stats): string => `${s.dev}:${s.ino}`;

/**
 * Reads CloudTrail logs from local files and directories (recursively, in sorted order so runs are
 * reproducible). Symbolic links are followed, but every directory and file is read once, however
 * many links lead to it: a link back to a directory being walked (a loop) or to one already walked,
 * and a second link to a file already read, are yielded with a `skip` reason naming the first path.
 * Digest files, files that are not logs and things that are not files are skipped with a reason too.
 * A path that does not exist or cannot be listed is yielded with an `error`: it fails the run's exit
 * status and is never counted as read. No file yields more than `limits.maxStoredBytes` of input.
 */
export class LocalLogSource implements LogSource {
  private readonly limits: ReadLimits;

  constructor(
    private readonly paths: readonly string[],
    opts: { limits?: ReadLimits } = {},
  ) {
    this.limits = opts.limits ?? READ_LIMITS;
  }

  async *files(): AsyncIterable<LogFileRef> {
    const seen: Seen = { dirs: new Map(), files: new Map() };
    for (const p of this.paths) yield* this.walk(resolve(p), true, seen, new Set());
  }

  private async *walk(path: string, explicit: boolean, seen: Seen, ancestors: ReadonlySet<string>): AsyncIterable<LogFileRef> {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ELOOP") yield { id: path, size: 0, skip: "symbolic link loop (the link resolves to itself)" };
      else yield { id: path, size: -1, error: await describeUnopenable(path, code ?? (e as Error).message) };
      return;
    }
    const id = identity(info);
    if (info.isDirectory()) {
      const first = seen.dirs.get(id);
      if (first !== undefined) {
        yield { id: path, size: 0, skip: ancestors.has(id) ? `symbolic link loop: leads back to ${first}, which is being read` : `same directory as ${first} (reached through a link); read once` };
        return;
      }
      seen.dirs.set(id, path);
      let names: string[];
      try {
        names = (await readdir(path)).sort();
      } catch (e) {
        yield { id: path, size: -1, error: `cannot list directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
        return;
      }
      const inside = new Set(ancestors).add(id);
      for (const n of names) {
        if (n.startsWith(".")) continue;
        yield* this.walk(join(path, n), false, seen, inside);
      }
      return;
    }
    if (!info.isFile()) {
      yield { id: path, size: 0, skip: "not a regular file (a device, pipe or socket)" };
      return;
    }
    const first = seen.files.get(id);
    if (first !== undefined) {
      yield { id: path, size: info.size, skip: `same file as ${first} (reached through another link); read once` };
      return;
    }
    seen.files.set(id, path);
    if (isDigestKey(path)) yield { id: path, size: info.size, skip: "CloudTrail digest file (integrity data, no events)" };
    else if (!explicit && !isLogFileName(path)) yield { id: path, size: info.size, skip: "not a log file name (.json, .json.gz, .jsonl, .gz, .zip)" };
    else yield { id: path, size: info.size };
  }

  async read(file: LogFileRef, opts: ReadOptions = {}): Promise<LogFileContent> {
    if (file.error !== undefined || file.size === -1) {
      return { records: [], invalid: [], error: file.error ?? (await describeUnopenable(file.id, "ENOENT")), bytes: 0 };
    }
    const limit = this.limits.maxStoredBytes;
    let buf: Buffer;
    let cut: string | undefined;
    try {
      const size = file.size ?? (await stat(file.id)).size;
      if (size > limit) {
        buf = await readPrefix(file.id, limit);
        cut = `file is ${formatBytes(size)}, more than the ${formatBytes(limit)} limit for one file; read its first ${formatBytes(limit)}`;
      } else {
        // CloudTrail delivers many small files (most are a few KB): for those one blocking read is far
        // cheaper than fs/promises' open/fstat/read/close round trips; big files stay asynchronous.
        buf = size < SMALL_FILE_BYTES ? readFileSync(file.id) : await readFile(file.id);
        if (buf.length > limit) {
          // The file grew after it was listed.
          buf = buf.subarray(0, limit);
          cut = `file grew past the ${formatBytes(limit)} limit for one file while being read; read its first ${formatBytes(limit)}`;
        }
      }
    } catch (e) {
      return { records: [], invalid: [], error: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, bytes: 0 };
    }
    const content = await decodeLogBytes(buf, file.id, this.limits, opts);
    if (!cut) return content;
    const { skipped: _notSkipped, ...rest } = content;
    return { ...rest, error: content.error ? `${cut}; ${content.error}` : cut };
  }
}

async function readPrefix(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** Why a path that was named or listed cannot be opened: it does not exist, or a link points nowhere. */
async function describeUnopenable(path: string, code: string): Promise<string> {
  if (code === "ENOENT") {
    const link = await lstat(path).catch(() => undefined);
    return link?.isSymbolicLink() ? "broken symbolic link (its target does not exist)" : "no such file or directory";
  }
  return `cannot open (${code})`;
}
