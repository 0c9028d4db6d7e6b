/**
 * Scan benchmark: trailwatch's scan of the whole catalog against the bound of a full parse (read,
 * gunzip, JSON.parse) and against DuckDB answering one ad-hoc question over the same files, on one
 * thread and on N, with peak memory. Floors split one thread's work: gunzip alone, the fastest full
 * decode Node offers, and the rule work alone; DuckDB also selects the records the catalog's rules
 * name, whole, which is what trailwatch's decoding does before its rules run.
 *
 *   npm run bench -- scan [--gb 1] [--repeat 1] [--jobs N] [--no-pin] [--profile]
 *
 * Data: at least `--gb` GB of raw CloudTrail JSON from one busy account (files of a few MB raw,
 * records of 1-2 KB), generated once and cached in `.bench/`. Each measurement runs in a fresh child
 * process, one-thread runs pinned to one core and N-thread runs to N cores with taskset when
 * available. With `--repeat` above 1 the best run is kept (by CPU time for one thread, by wall clock
 * for N), because other processes on the machine only ever make a run slower.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import Table from "cli-table3";
import { generateOrganization, readManifest, type Manifest } from "../generator";
import { BENCH_DIR, canPin, machine, runChild, type BenchModule } from "./bench";
import type { Measurement } from "./scan-measure";

const MEASURE = join(__dirname, "scan-measure.ts");
const ACCOUNT = { id: "210987654321", name: "busy-prod", kind: "production" as const };
const DAYS = 4;
/** Raw JSON bytes per record of the generator's mix, measured; used to size the data set. */
const BYTES_PER_RECORD = 1450;

interface Options {
  gb: number;
  repeat: number;
  pin: boolean;
  profile: boolean;
  /** Threads of the multi-threaded runs (default: the machine's cores, at least 2). */
  jobs?: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = { gb: 1, repeat: 1, pin: true, profile: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--gb") o.gb = Number(args[++i]);
    else if (a === "--repeat") o.repeat = Number(args[++i]);
    else if (a === "--no-pin") o.pin = false;
    else if (a === "--profile") o.profile = true;
    else if (a === "--jobs") o.jobs = Number(args[++i]);
    else throw new Error(`scan bench: unknown argument "${a}" (--gb N, --repeat N, --jobs N, --no-pin, --profile)`);
  }
  if (!(o.gb > 0)) throw new Error("scan bench: --gb must be a positive number");
  if (!Number.isInteger(o.repeat) || o.repeat < 1) throw new Error("scan bench: --repeat must be a positive integer");
  return o;
}

/** The cached data set, generated when absent or too small. */
async function dataset(gb: number): Promise<{ dir: string; manifest: Manifest }> {
  const dir = join(BENCH_DIR, `scan-${gb}gb`);
  const want = gb * 1e9;
  const existing = await readManifest(dir).catch(() => undefined);
  if (existing && existing.counts.rawBytes >= want) return { dir, manifest: existing };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const recordsPerDay = Math.ceil((want * 1.06) / DAYS / BYTES_PER_RECORD);
  process.stderr.write(`scan bench: generating ${gb} GB of CloudTrail JSON in ${dir} (one busy account, ${DAYS} days, ~${recordsPerDay.toLocaleString("en-US")} records/day), once ...\n`);
  const t0 = performance.now();
  const manifest = await generateOrganization({
    outDir: dir, seed: "bench-scan", days: DAYS, endDate: "2026-11-20", accounts: [ACCOUNT], recordsPerDay, maxRecordsPerFile: 4000,
    onProgress: (p) => process.stderr.write(`\r\x1b[Kscan bench: day ${p.day}/${p.days}, ${(p.rawBytes / 1e9).toFixed(2)} GB`),
  });
  process.stderr.write(`\r\x1b[Kscan bench: generated ${manifest.counts.files} files, ${(manifest.counts.rawBytes / 1e9).toFixed(2)} GB raw, ${(manifest.counts.storedBytes / 1e6).toFixed(0)} MB gzipped in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  if (manifest.counts.rawBytes < want) throw new Error(`scan bench: generated only ${(manifest.counts.rawBytes / 1e9).toFixed(2)} GB; raise BYTES_PER_RECORD's margin`);
  return { dir, manifest };
}

/** The first day's folders of every region: about a quarter of the data, for the memory comparison. */
async function firstDay(dir: string, m: Manifest): Promise<string[]> {
  const out: string[] = [];
  const base = join(dir, "AWSLogs", ACCOUNT.id, "CloudTrail");
  for (const region of await readdir(base)) out.push(join(base, region, ...m.firstDay.split("-")));
  return out;
}

async function measure(kind: string, paths: string[], o: Options, nodeArgs: string[] = [], threads = 1): Promise<Measurement> {
  const out = await runChild(MEASURE, [kind, ...paths], { pinCpu: o.pin, nodeArgs: ["--expose-gc", ...nodeArgs], cores: threads > 1 ? `0-${threads - 1}` : "0" });
  return JSON.parse(out.trim().split("\n").pop()!) as Measurement;
}

/** The run with the least wall time (multi-threaded runs are compared by wall clock). */
function fastest(ms: Measurement[]): Measurement {
  return ms.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
}

/**
 * The run with the least CPU time. Each process is pinned to one core, so its CPU time is what it
 * would take on a dedicated core; wall time also counts the moments other processes held that core.
 */
function best(ms: Measurement[]): Measurement {
  return ms.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
}

const mb = (b: number) => b / 1e6;
const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function run(args: string[]): Promise<void> {
  const o = parseArgs(args);
  if (o.pin && !(await canPin())) {
    process.stderr.write("scan bench: taskset is not available; measuring unpinned\n");
    o.pin = false;
  }
  const { dir, manifest } = await dataset(o.gb);
  const all = [join(dir, "AWSLogs")];
  const quarter = await firstDay(dir, manifest);
  const n = Math.max(2, o.jobs ?? availableParallelism());
  const startMachine = machine();

  const idle = await measure("idle", [], o);
  const runs: Record<string, Measurement[]> = {};
  // Each run by name: [measurement, paths, threads].
  const kinds: Record<string, [string, string[], number]> = {
    bound: ["bound", all, 1], gunzip: ["gunzip", all, 1], parseAscii: ["parse-ascii", all, 1], rulesOnly: ["rules-only", all, 1],
    scan: ["scan", all, 1], selective: ["scan-selective", all, 1], pool: [`pool:${n}`, all, n],
    duckdb1: ["duckdb:1", all, 1], duckdbN: [`duckdb:${n}`, all, n], duckdbCatalog1: ["duckdb-catalog:1", all, 1], duckdbCatalogN: [`duckdb-catalog:${n}`, all, n],
    firstDay: ["scan", quarter, 1],
  };
  for (let i = 0; i < o.repeat; i++) {
    for (const [key, [kind, paths, threads]] of Object.entries(kinds)) {
      process.stderr.write(`\r\x1b[Kscan bench: run ${i + 1}/${o.repeat}: ${kind}${paths === quarter ? " (first day)" : ""}`);
      (runs[key] ??= []).push(await measure(kind, paths, o, [], threads));
    }
  }
  process.stderr.write("\r\x1b[K");
  if (o.profile) {
    const profDir = join(BENCH_DIR, "profiles");
    await mkdir(profDir, { recursive: true });
    await measure("scan", all, o, ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
    process.stderr.write(`scan bench: CPU profile of one full scan written to ${profDir}\n`);
  }
  const endMachine = machine();

  const b = best(runs.bound!);
  const gz = best(runs.gunzip!);
  const pa = best(runs.parseAscii!);
  const ro = best(runs.rulesOnly!);
  const s = best(runs.scan!);
  const sel = best(runs.selective!);
  const pool = fastest(runs.pool!);
  const d1 = fastest(runs.duckdb1!);
  const dn = fastest(runs.duckdbN!);
  const dc1 = fastest(runs.duckdbCatalog1!);
  const dcn = fastest(runs.duckdbCatalogN!);
  const q = best(runs.firstDay!);
  for (const m of [pa, ro, s, sel, pool, d1, dn, dc1, dcn]) {
    if (m.records !== b.records) throw new Error(`scan bench: ${m.kind} read ${m.records} records, the bound ${b.records}: they must read the same files`);
  }
  const t = new Table({ head: ["measurement", "threads", "records", "CPU s", "wall s", "records/s (wall)", "MB/s (wall)", "peak RSS MB"], style: { head: [], border: [] } });
  const row = (name: string, m: Measurement, threads: number) =>
    t.push([name, String(threads), fmt(m.records), fmt(m.cpuMs / 1000, 2), fmt(m.wallMs / 1000, 2), fmt(m.records / (m.wallMs / 1000)), fmt(mb(b.rawBytes) / (m.wallMs / 1000)), fmt(m.maxRssMb)]);
  row("bound: gunzip + JSON.parse", b, 1);
  row("floor: gunzip only", gz, 1);
  row("floor: gunzip + latin1 + JSON.parse (the scan's decode of ASCII files)", pa, 1);
  row(`floor: the scan's rule work alone, decoding not counted (${ro.alerts} alerts)`, ro, 1);
  row(`trailwatch scan, 1 thread (${s.alerts} alerts)`, s, 1);
  row(`trailwatch scan, 1 thread, selective decoding forced (${sel.alerts} alerts)`, sel, 1);
  row(`trailwatch scan --jobs ${n} (${pool.alerts} alerts)`, pool, n);
  row(`DuckDB read_json, 1 thread (${d1.alerts} ConsoleLogin)`, d1, 1);
  row(`DuckDB read_json, ${n} threads`, dn, n);
  row(`DuckDB, the catalog's records whole as JSON, 1 thread (${dc1.alerts} records)`, dc1, 1);
  row(`DuckDB, the catalog's records whole as JSON, ${n} threads`, dcn, n);
  row(`trailwatch scan, first day only`, q, 1);
  t.push(["process baseline (modules loaded)", "", "", "", "", "", "", fmt(idle.maxRssMb)]);
  const pct = (a: number, c: number) => `${fmt((a / c) * 100, 1)}%`;
  const lines = [
    "",
    `scan benchmark (${o.pin ? "one-thread runs pinned to one core, " + n + "-thread runs to " + n + " cores" : "unpinned"}, ${o.repeat === 1 ? "one run each" : `best of ${o.repeat}`}; ${fmt(mb(b.rawBytes) / 1000, 2)} GB of JSON in ${fmt(b.files)} files)`,
    t.toString(),
    `trailwatch 1 thread / bound: ${pct(b.cpuMs, s.cpuMs)} of the bound's throughput on CPU time (target >= 80%), ${pct(b.wallMs, s.wallMs)} on wall clock; selective decoding forced: ${pct(b.cpuMs, sel.cpuMs)} on CPU time`,
    `trailwatch vs DuckDB (one filter), wall clock: 1 thread ${pct(d1.wallMs, s.wallMs)} of DuckDB's speed; ${n} threads ${pct(dn.wallMs, pool.wallMs)} (target: above 100% for both)`,
    `floors on one thread, CPU s: gunzip ${fmt(gz.cpuMs / 1000, 2)} + latin1 and JSON.parse ${fmt((pa.cpuMs - gz.cpuMs) / 1000, 2)} (a full decode: ${fmt(pa.cpuMs / 1000, 2)}, ${pct(d1.cpuMs, pa.cpuMs)} of DuckDB's one-filter speed) + rule work ${fmt(ro.cpuMs / 1000, 2)} = ${fmt((pa.cpuMs + ro.cpuMs) / 1000, 2)}; gunzip + rule work alone (decoding free): ${fmt((gz.cpuMs + ro.cpuMs) / 1000, 2)} against DuckDB's ${fmt(d1.cpuMs / 1000, 2)}`,
    `trailwatch vs DuckDB selecting the catalog's records (whole, as JSON), wall clock: 1 thread ${pct(dc1.wallMs, s.wallMs)}; ${n} threads ${pct(dcn.wallMs, pool.wallMs)}`,
    `trailwatch ${n} threads / 1 thread: ${fmt(s.wallMs / pool.wallMs, 2)}x on wall clock (target >= 1.8x on 2 cores)`,
    `memory: peak RSS ${fmt(s.maxRssMb)} MB on one thread, ${fmt(pool.maxRssMb)} MB for the whole process with ${n} workers (each worker's peak heap + buffers: ${(pool.workerPeakMb ?? []).map((x) => fmt(x)).join(", ")} MB; target <= 256 MB per worker); first day only ${fmt(q.maxRssMb)} MB; process baseline ${fmt(idle.maxRssMb)} MB`,
    `machine: ${startMachine} (at the start), load average ${endMachine.replace(/^.*load average /, "")} (at the end)`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  await writeFile(join(BENCH_DIR, "scan-results.json"), JSON.stringify({ machine: startMachine, endMachine, pinned: o.pin, repeat: o.repeat, jobs: n, bound: b, gunzip: gz, parseAscii: pa, rulesOnly: ro, scan: s, selective: sel, pool, duckdb1: d1, duckdbN: dn, duckdbCatalog1: dc1, duckdbCatalogN: dcn, firstDay: q, idle, runs }, null, 2) + "\n");
}

export const scanBench: BenchModule = {
  name: "scan",
  description: "trailwatch scan (1 and N threads) vs gunzip + JSON.parse, its floors (gunzip, decode, rule work) and DuckDB (1 and N threads) over >= 1 GB of CloudTrail JSON; records/s, ratios, peak memory",
  run,
};
