import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

/** One benchmark: `npm run bench -- <name> [args]` runs it alone; `npm run bench` runs them all. */
export interface BenchModule {
  name: string;
  description: string;
  run(args: string[]): Promise<void>;
}

/** Repository root (benchmarks keep their data under `<root>/.bench/`, which git ignores). */
export const ROOT = join(__dirname, "..", "..");
export const BENCH_DIR = join(ROOT, ".bench");

/** The machine, for the record: CPU model, cores, Node version, load at the time. */
export function machine(): string {
  const c = cpus();
  const load = loadavg().map((x) => x.toFixed(1)).join(" ");
  return `${c[0]?.model ?? "unknown CPU"}, ${c.length} cores, Node ${process.version}, ${process.platform}/${process.arch}, load average ${load}`;
}

/**
 * Runs a TypeScript file in a fresh Node process (so time and peak memory are its own) and returns
 * its stdout; `pinCpu` runs it on one core with `taskset` where that exists.
 */
export function runChild(script: string, args: string[], o: { pinCpu?: boolean; nodeArgs?: string[]; cores?: string } = {}): Promise<string> {
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  const nodeArgv = [...(o.nodeArgs ?? []), "--import", tsx, script, ...args];
  // `cores` (taskset's list, e.g. "0-1") pins a multi-threaded run to that many cores.
  const [cmd, argv] = o.pinCpu ? ["taskset", ["-c", o.cores ?? "0", process.execPath, ...nodeArgv]] : [process.execPath, nodeArgv];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} ${args.slice(0, 1).join(" ")} exited with ${code}: ${err.trim().slice(-2000)}`))));
  });
}

/** True when `taskset` can pin a process to one core here. */
export async function canPin(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn("taskset", ["-c", "0", "true"], { stdio: "ignore" });
    p.on("error", () => resolve(false));
    p.on("close", (code) => resolve(code === 0));
  });
}

/**
 * A gzipped log file read and decompressed into an output buffer sized from the gzip trailer, as the
 * scan and the log analyzer decompress: the tightest bound plain Node gives.
 */
export function gunzipLogFile(path: string): Buffer {
  const gz = readFileSync(path);
  const chunkSize = Math.min(Math.max(gz.readUInt32LE(gz.length - 4) + 1, 64 * 1024), 64 * 2 ** 20);
  return gunzipSync(gz, { chunkSize });
}
