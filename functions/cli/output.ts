import { open, type FileHandle } from "node:fs/promises";
import type { Alert } from "../core/alert/alert";
import { boundAlert } from "../core/alert/bound";
import { alertTable, countTable, sortAlerts } from "./format/table";
import { EXTRA_FORMATS, isExtraFormat, renderExtraFormat, type ExtraFormat } from "./format/extra-formats";
import { cell, useColor } from "./terminal";

export type OutputFormat = "table" | "jsonl" | "json" | ExtraFormat;
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "jsonl", "json", ...EXTRA_FORMATS];

/** Alerts could not be written (the output cannot be opened, the disk is full); the message says where and why. */
export class OutputError extends Error {
  override name = "OutputError";
}

const FS_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  EPIPE: "the reader closed the pipe",
};

/** A file-system error in words, with its code: `no space left on device (ENOSPC)`. */
export function describeIoError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && FS_REASONS[code]) return `${FS_REASONS[code]} (${code})`;
  return cell(code ?? (e as Error)?.message ?? String(e));
}

/** True for the errors of writing to a reader that went away (`trailwatch ... | head -1`). */
export function isClosedPipe(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}

/** Where alerts go: stdout or a file opened before the scan. */
export interface AlertOutput {
  /** "stdout" or the path, for messages. */
  readonly where: string;
  /** A terminal: tables get colour (unless NO_COLOR) and its width. */
  readonly isTTY: boolean;
  readonly columns?: number;
  /** Writes text; a reader that went away (EPIPE) ends the output quietly, any other failure throws {@link OutputError}. */
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

class FileOutput implements AlertOutput {
  readonly isTTY = false;
  constructor(
    readonly where: string,
    private readonly handle: FileHandle,
  ) {}

  async write(text: string): Promise<void> {
    try {
      await this.handle.writeFile(text, "utf8");
    } catch (e) {
      throw new OutputError(`cannot write alerts to ${cell(this.where)}: ${describeIoError(e)}`);
    }
  }

  async close(): Promise<void> {
    try {
      await this.handle.close();
    } catch (e) {
      throw new OutputError(`cannot write alerts to ${cell(this.where)}: ${describeIoError(e)}`);
    }
  }
}

class StdoutOutput implements AlertOutput {
  readonly where = "stdout";
  readonly isTTY = process.stdout.isTTY === true;
  readonly columns = process.stdout.columns;
  /** The reader went away: what is left is not written (and nothing is said: `| head` is not an error). */
  private closed = false;

  write(text: string): Promise<void> {
    if (this.closed || process.stdout.destroyed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      process.stdout.write(text, (err) => {
        if (!err) return resolve();
        if (isClosedPipe(err)) {
          this.closed = true;
          return resolve();
        }
        reject(new OutputError(`cannot write alerts to stdout: ${describeIoError(err)}`));
      });
    });
  }

  async close(): Promise<void> {}
}

/**
 * Opens where alerts go: stdout for undefined or "-", else the file (created or truncated) — at
 * once, so an unwritable path is a clear error before any work rather than a stack trace after it.
 */
export async function openOutput(path?: string): Promise<AlertOutput> {
  if (path === undefined || path === "-") return new StdoutOutput();
  try {
    return new FileOutput(path, await open(path, "w"));
  } catch (e) {
    throw new OutputError(`--output ${cell(path)}: cannot open for writing: ${describeIoError(e)}`);
  }
}

/** Format characters, separators and C1 controls JSON.stringify leaves raw (it escapes only C0, `"` and `\`). */
const JSON_HIDDEN = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * JSON of `value` with every control, format and separator character written as `\uXXXX`: the same
 * JSON value, but printed to a terminal it cannot reorder or rewrite what is shown.
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_HIDDEN, (c) => [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""));
}

/** Writes `parts` in chunks of about 1 MB, so a large result is never one huge string. */
async function writeChunked(out: AlertOutput, parts: Iterable<string>): Promise<void> {
  let buf = "";
  for (const p of parts) {
    buf += p;
    if (buf.length >= 1 << 20) {
      await out.write(buf);
      buf = "";
    }
  }
  if (buf) await out.write(buf);
}

/**
 * Writes alerts in the chosen format to an output (or a path, or stdout). `jsonl` writes exactly one
 * alert object per line and nothing else, so it can be piped into jq, a SIEM or another tool. Every
 * alert is bounded first (`boundAlert`), so no value can make the JSON or the table fail.
 */
export async function writeAlerts(alerts: readonly Alert[], format: OutputFormat, output?: string | AlertOutput): Promise<void> {
  const out = typeof output === "object" ? output : await openOutput(output);
  const sorted = sortAlerts(alerts.map((a) => boundAlert(a)));
  try {
    if (format === "jsonl") {
      await writeChunked(out, sorted.map((a) => terminalSafeJson(a) + "\n"));
    } else if (isExtraFormat(format)) {
      await out.write(renderExtraFormat(format, sorted));
    } else if (format === "json" && sorted.length === 0) {
      await out.write("[]\n");
    } else if (format === "json") {
      const body = sorted.map((a, i) => "  " + terminalSafeJson(a, 2).replace(/\n/g, "\n  ") + (i < sorted.length - 1 ? ",\n" : "\n"));
      await writeChunked(out, ["[\n", ...body, "]\n"]);
    } else if (sorted.length === 0) {
      await out.write("No alerts.\n");
    } else {
      const color = out.isTTY && useColor(out);
      await out.write(countTable(sorted, color) + "\n" + alertTable(sorted, { color, width: out.columns }) + "\n");
    }
  } finally {
    if (typeof output !== "object") await out.close();
  }
}
