import { readFileSync } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { LogFileContent, LogFileRef, LogSource } from "../../core/ports";
import { decodeLogBytes, isDigestKey, isLogFileName } from "../log-content";

/** Files smaller than this are read synchronously (see `read`). */
const SMALL_FILE_BYTES = 256 * 1024;

/**
 * Reads CloudTrail logs from local files and directories (recursively, in sorted order so runs are
 * reproducible). Digest files and files that are not logs are yielded with a `skip` reason rather
 * than dropped silently. A path that does not exist or cannot be listed is yielded too, and `read`
 * reports it as an error, so a typo in a path fails the run's exit status instead of passing quietly.
 */
export class LocalLogSource implements LogSource {
  constructor(private readonly paths: readonly string[]) {}

  async *files(): AsyncIterable<LogFileRef> {
    for (const p of this.paths) yield* this.walk(resolve(p), true);
  }

  private async *walk(path: string, explicit: boolean): AsyncIterable<LogFileRef> {
    let info;
    try {
      info = await stat(path);
    } catch {
      yield { id: path, size: -1 };
      return;
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = (await readdir(path)).sort();
      } catch {
        yield { id: path, size: -1 };
        return;
      }
      for (const n of names) {
        if (n.startsWith(".")) continue;
        yield* this.walk(join(path, n), false);
      }
      return;
    }
    if (!info.isFile()) return;
    if (isDigestKey(path)) yield { id: path, size: info.size, skip: "CloudTrail digest file (integrity data, no events)" };
    else if (!explicit && !isLogFileName(path)) yield { id: path, size: info.size, skip: "not a log file name (.json, .json.gz, .jsonl, .gz, .zip)" };
    else yield { id: path, size: info.size };
  }

  async read(file: LogFileRef): Promise<LogFileContent> {
    if (file.size === -1) {
      return { records: [], invalid: [], error: await describeMissing(file.id), bytes: 0 };
    }
    let buf: Buffer;
    try {
      // CloudTrail delivers many small files (most are a few KB): for those one blocking read is far
      // cheaper than fs/promises' open/fstat/read/close round trips; big files stay asynchronous.
      buf = file.size !== undefined && file.size >= 0 && file.size < SMALL_FILE_BYTES ? readFileSync(file.id) : await readFile(file.id);
    } catch (e) {
      return { records: [], invalid: [], error: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, bytes: 0 };
    }
    return decodeLogBytes(buf, file.id);
  }
}

async function describeMissing(path: string): Promise<string> {
  try {
    await stat(path);
    return "cannot list directory";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file or directory" : `cannot open (${code ?? (e as Error).message})`;
  }
}
