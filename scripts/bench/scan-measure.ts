/**
 * One measurement of the scan benchmark, run by `scan.ts` in a fresh child process so its time and
 * peak memory are its own. Prints one JSON line on stdout.
 *
 *   bound PATH...          read + gunzip + JSON.parse of every log file, nothing else (the bound of a full parse)
 *   scan PATH...           the full scan on this thread: LocalLogSource + scanLogs + RuleEngine(catalog) (decoding: auto)
 *   scan-selective PATH... the same, every file decoded selectively (only records a rule can see are parsed)
 *   scan-full PATH...      the same, every record parsed
 *   pool:N PATH...         the full scan with N worker threads (what `trailwatch scan --jobs N` runs)
 *   gunzip PATH...         read + gunzip of every log file: what every reader of these files pays, DuckDB included
 *   parse-ascii PATH...    read + gunzip + latin1 string + JSON.parse: the fastest full decode Node offers for ASCII files
 *                          (the one the scan uses for them), nothing else
 *   rules-only PATH...     the scan's rule work alone: each file decoded as the scan decodes it, the CPU time of the
 *                          decoding left out, the engine, the threshold rules and the merge counted
 *   duckdb:N PATH          DuckDB with N threads: read_json over the same .json.gz files, one filter on eventName
 *   duckdb-catalog:N PATH  DuckDB with N threads selecting the records the catalog's rules name (event names, root
 *                          identity), each whole as JSON: the question trailwatch's decode answers before its rules run
 *   idle                   load the modules only (the baseline memory of a process)
 */
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import { MemoryThresholdStore } from "../../functions/adapters/local/memory-threshold-store";
import type { LogFileRef } from "../../functions/core/ports";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { ThresholdTracker } from "../../functions/core/rules/threshold-tracker";
import { scanLogs } from "../../functions/core/scan";
import { evaluateFile, ScanMerger } from "../../functions/core/scan-merge";
import { readOptionsFor, type Decoding } from "../../functions/core/rules/engine-filter";
import { scanWithWorkers } from "../../functions/cli/scan-pool/pool";
import { decodeSelectedBytes } from "../../functions/adapters/selective-content";
import { gunzipLogFile } from "./bench";

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
  /** Pool runs: each worker's peak JavaScript heap plus buffers, MB. */
  workerPeakMb?: number[];
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
  if (kind === "bound" || kind === "gunzip" || kind === "parse-ascii") return decodeOnly(kind, files);
  if (kind === "rules-only") return rulesOnly(paths);
  if (kind.startsWith("duckdb:")) return duckdb(Number(kind.slice(7)), files);
  if (kind.startsWith("duckdb-catalog:")) return duckdb(Number(kind.slice(15)), files, "catalog");
  if (kind.startsWith("pool:")) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let peaks: number[] = [];
    const refs = [];
    for await (const f of new LocalLogSource(paths).files()) refs.push(f);
    const result = await scanWithWorkers(refs, {
      jobs: Number(kind.slice(5)), engine: new RuleEngine(catalog), engineOptions: {}, thresholds: new ThresholdTracker(new MemoryThresholdStore()),
      onWorkerMemory: (p) => (peaks = p),
    });
    const cpu = cpuMs(process.cpuUsage(c0));
    const wallMs = performance.now() - t0;
    if (result.fileErrors.length) throw new Error(`pool: ${result.fileErrors.length} unreadable file(s), e.g. ${result.fileErrors[0]!.source}: ${result.fileErrors[0]!.reason}`);
    return {
      kind, files: result.stats.filesRead, records: result.stats.records, rawBytes: result.stats.bytes, largestFile: 0, wallMs, cpuMs: cpu,
      maxRssMb: process.resourceUsage().maxRSS / 1024, alerts: result.alerts.length, workerPeakMb: peaks.map((b) => b / 2 ** 20),
    };
  }
  if (kind === "scan" || kind === "scan-selective" || kind === "scan-full") {
    const decoding: Decoding = kind === "scan" ? "auto" : kind === "scan-selective" ? "selective" : "full";
    const listed = files;
    const local = new LocalLogSource(paths);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let largestFile = 0;
    let seen = 0;
    const engine = new RuleEngine(catalog);
    const read = readOptionsFor(engine, decoding, decodeSelectedBytes);
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
        read,
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
  throw new Error(`unknown measurement "${kind}" (bound, gunzip, parse-ascii, rules-only, scan, scan-selective, scan-full, pool:N, duckdb:N, duckdb-catalog:N, idle)`);
}

/**
 * Read + gunzip of every file (`gunzip`), then a UTF-8 string and `JSON.parse` (`bound`, what reading
 * JSON costs in general) or a latin1 string and `JSON.parse` (`parse-ascii`, the scan's decode of ASCII files).
 */
function decodeOnly(kind: "bound" | "gunzip" | "parse-ascii", files: LogFileRef[]): Measurement {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let records = 0;
  let rawBytes = 0;
  let largestFile = 0;
  for (const f of files) {
    const data = gunzipLogFile(f.id);
    rawBytes += data.length;
    largestFile = Math.max(largestFile, data.length);
    if (kind !== "gunzip") records += (JSON.parse(data.toString(kind === "bound" ? "utf8" : "latin1")) as { Records: unknown[] }).Records.length;
  }
  const cpu = cpuMs(process.cpuUsage(c0));
  return { kind, files: files.length, records, rawBytes, largestFile, wallMs: performance.now() - t0, cpuMs: cpu, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

/**
 * The scan's rule work alone: files read and decoded one at a time as `scan` decodes them, with the
 * CPU time of reading and decoding left out; the engine, the threshold rules and the merge counted.
 * What a scan would cost if decoding were free.
 */
async function rulesOnly(paths: string[]): Promise<Measurement> {
  const local = new LocalLogSource(paths);
  const engine = new RuleEngine(catalog);
  const read = readOptionsFor(engine, "auto", decodeSelectedBytes);
  const thresholds = new ThresholdTracker(new MemoryThresholdStore());
  const merger = new ScanMerger(1000);
  let ruleCpu = 0;
  let ruleWall = 0;
  for await (const ref of local.files()) {
    if (ref.error !== undefined || ref.skip) continue;
    const content = await local.read(ref, read);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    merger.file(ref, evaluateFile(ref, content, engine, thresholds, 1000));
    await merger.thresholds(thresholds, ref.id);
    ruleCpu += cpuMs(process.cpuUsage(c0));
    ruleWall += performance.now() - t0;
  }
  const r = merger.finish();
  return {
    kind: "rules-only", files: r.stats.filesRead, records: r.stats.records, rawBytes: r.stats.bytes, largestFile: 0, wallMs: ruleWall, cpuMs: ruleCpu,
    maxRssMb: process.resourceUsage().maxRSS / 1024, alerts: r.alerts.length,
  };
}

/** Every event name a rule of the catalog names (rules on every name are left to the root identity test). */
function catalogEventNames(): string[] {
  const names = new Set<string>();
  for (const r of catalog) if (r.eventNames !== "*") for (const n of r.eventNames) names.add(n);
  return [...names].sort();
}

/**
 * DuckDB's answer to one ad-hoc question over the same files: `read_json` of every delivery file
 * the scan reads (the columns the query names, as a user who knows the format would write it), the
 * records unnested, one filter on eventName, counted (`one`); or the records the catalog's rules name, each whole
 * as JSON (`catalog`).
 */
async function duckdb(threads: number, files: LogFileRef[], question: "one" | "catalog" = "one"): Promise<Measurement> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: String(threads) });
  const c = await instance.connect();
  const list = files.map((f) => `'${f.id.replace(/'/g, "''")}'`).join(", ");
  const names = catalogEventNames().map((n) => `'${n.replace(/'/g, "''")}'`).join(", ");
  const sql =
    question === "one"
      ? `SELECT count(*) AS n FROM (SELECT unnest(Records) AS r FROM read_json([${list}], columns={Records: 'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, userIdentity STRUCT(arn VARCHAR))[]'}, format='unstructured', maximum_object_size=134217728)) WHERE r.eventName = 'ConsoleLogin'`
      : // Each selected record whole, as the rules read it: its JSON text is built and measured, so nothing is optimised away.
        `SELECT count(*) AS n, sum(length(r::VARCHAR)) AS bytes FROM (SELECT unnest(Records) AS r FROM read_json([${list}], columns={Records: 'JSON[]'}, format='unstructured', maximum_object_size=134217728)) WHERE r->>'eventName' IN (${names}) OR json_extract_string(r, '$.userIdentity.type') = 'Root'`;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const rows = (await c.runAndReadAll(sql)).getRowObjects();
  const cpu = cpuMs(process.cpuUsage(c0));
  const wallMs = performance.now() - t0;
  const total = (await c.runAndReadAll(`SELECT count(*) AS n FROM (SELECT unnest(Records) AS r FROM read_json([${list}], columns={Records: 'STRUCT(eventName VARCHAR)[]'}, format='unstructured', maximum_object_size=134217728))`)).getRowObjects();
  return {
    kind: question === "one" ? `duckdb:${threads}` : `duckdb-catalog:${threads}`, files: files.length, records: Number(total[0]!.n), rawBytes: 0, largestFile: 0, wallMs, cpuMs: cpu,
    maxRssMb: process.resourceUsage().maxRSS / 1024, alerts: Number(rows[0]!.n),
  };
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
