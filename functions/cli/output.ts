import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { Alert } from "../core/alert/alert";
import { alertTable, countTable, sortAlerts } from "./format/table";
import { EXTRA_FORMATS, isExtraFormat, renderExtraFormat, type ExtraFormat } from "./format/extra-formats";

export type OutputFormat = "table" | "jsonl" | "json" | ExtraFormat;
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "jsonl", "json", ...EXTRA_FORMATS];

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Writes alerts in the chosen format to a file or stdout. `jsonl` writes exactly one alert object
 * per line and nothing else, so it can be piped into jq, a SIEM or another tool.
 */
export async function writeAlerts(alerts: readonly Alert[], format: OutputFormat, output?: string): Promise<void> {
  const sorted = sortAlerts(alerts);
  const toFile = output !== undefined && output !== "-";
  const stream: Writable = toFile ? createWriteStream(output) : process.stdout;
  const tty = !toFile && process.stdout.isTTY === true;
  if (format === "jsonl") {
    for (const a of sorted) await write(stream, JSON.stringify(a) + "\n");
  } else if (isExtraFormat(format)) {
    await write(stream, renderExtraFormat(format, sorted));
  } else if (format === "json") {
    await write(stream, JSON.stringify(sorted, null, 2) + "\n");
  } else if (sorted.length === 0) {
    await write(stream, "No alerts.\n");
  } else {
    await write(stream, countTable(sorted, tty) + "\n" + alertTable(sorted, { color: tty, width: process.stdout.columns }) + "\n");
  }
  if (toFile) await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
