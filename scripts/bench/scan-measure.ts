/**
 * One measurement of the scan benchmark, run by `scan.ts` in a fresh child process so its time and
 * peak memory are its own. Prints one JSON line on stdout.
 *
 *   bound PATH...  read + gunzip + JSON.parse of every log file, nothing else (the practical bound)
 *   scan PATH...   the full scan: LocalLogSource + scanLogs + RuleEngine(catalog)
 *   idle           load the modules only (the baseline memory of a process)
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import { MemoryThresholdStore } from "../../functions/adapters/local/memory-threshold-store";
import type { LogFileRef } from "../../functions/core/ports";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { ThresholdTracker } from "../../functions/core/rules/threshold-tracker";
import { scanLogs } from "../../functions/core/scan";

export interface Measurement {
  kind: string;
  files: number;
  records: number;
  /** Uncompressed JSON bytes. */
  rawBytes: number;
  /** Largest uncompressed file. */
  largestFile: number;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  /** Live heap after a full GC at the end (with --expose-gc): what the process still holds. */
  heapAfterMb?: number;
  alerts?: number;
}

function heapAfterGc(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

/** Lists the log files exactly as the scan does (same order, digests skipped). */
async function listFiles(paths: string[]): Promise<LogFileRef[]> {
  const out: LogFileRef[] = [];
  for await (const f of new LocalLogSource(paths).files()) if (!f.skip) out.push(f);
  return out;
}

async function measure(kind: string, paths: string[]): Promise<Measurement> {
  if (kind === "idle") {
    return { kind, files: 0, records: 0, rawBytes: 0, largestFile: 0, wallMs: 0, cpuMs: 0, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  const files = await listFiles(paths);
  if (kind === "bound") {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let records = 0;
    let rawBytes = 0;
    let largestFile = 0;
    for (const f of files) {
      const gz = readFileSync(f.id);
      // Output sized from the gzip trailer, as the scan does: the tightest bound plain Node gives.
      const chunkSize = Math.min(Math.max(gz.readUInt32LE(gz.length - 4) + 1, 64 * 1024), 64 * 2 ** 20);
      const text = gunzipSync(gz, { chunkSize }).toString("utf8");
      rawBytes += text.length; // the files are ASCII: characters = bytes
      if (text.length > largestFile) largestFile = text.length;
      records += (JSON.parse(text) as { Records: unknown[] }).Records.length;
    }
    const cpu = cpuMs(process.cpuUsage(c0));
    return { kind, files: files.length, records, rawBytes, largestFile, wallMs: performance.now() - t0, cpuMs: cpu, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  if (kind === "scan") {
    const listed = files;
    const local = new LocalLogSource(paths);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let largestFile = 0;
    let seen = 0;
    const engine = new RuleEngine(catalog);
    const result = await scanLogs(
      { files: async function* () { yield* listed; }, read: (f) => local.read(f) },
      engine,
      {
        onProgress: (s) => {
          largestFile = Math.max(largestFile, s.bytes - seen);
          seen = s.bytes;
        },
        // As `trailwatch scan` runs it: threshold rules counting across the files, state in memory.
        thresholds: new ThresholdTracker(new MemoryThresholdStore()),
      },
    );
    const cpu = cpuMs(process.cpuUsage(c0));
    const wallMs = performance.now() - t0;
    if (result.fileErrors.length) throw new Error(`scan: ${result.fileErrors.length} unreadable file(s), e.g. ${result.fileErrors[0]!.source}: ${result.fileErrors[0]!.reason}`);
    return {
      kind, files: result.stats.filesRead, records: result.stats.records, rawBytes: result.stats.bytes, largestFile, wallMs, cpuMs: cpu,
      maxRssMb: process.resourceUsage().maxRSS / 1024, heapAfterMb: heapAfterGc(), alerts: result.alerts.length,
    };
  }
  throw new Error(`unknown measurement "${kind}" (bound, scan, idle)`);
}

if (require.main === module) {
  const [kind, ...paths] = process.argv.slice(2);
  measure(kind ?? "", paths)
    .then((m) => process.stdout.write(JSON.stringify(m) + "\n"))
    .catch((e) => {
      process.stderr.write(`scan-measure: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
}
