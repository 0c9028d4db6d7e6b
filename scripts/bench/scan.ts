/**
 * Scan benchmark: how close the full scan (LocalLogSource + scanLogs + RuleEngine over the whole
 * catalog) comes to the practical bound of reading, gunzipping and JSON.parse-ing the same files, and
 * how its memory grows.
 *
 *   npm run bench -- scan [--gb 1] [--repeat 3] [--no-pin] [--profile]
 *
 * Data: at least `--gb` GB of raw CloudTrail JSON from one busy account (files of a few MB raw,
 * records of 1-2 KB), generated once and cached in `.bench/`. Each measurement runs in a fresh child
 * process (pinned to one core with taskset when available); the best of `--repeat` runs is kept,
 * because other processes on the machine only ever make a run slower.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
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
}

function parseArgs(args: string[]): Options {
  const o: Options = { gb: 1, repeat: 3, pin: true, profile: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--gb") o.gb = Number(args[++i]);
    else if (a === "--repeat") o.repeat = Number(args[++i]);
    else if (a === "--no-pin") o.pin = false;
    else if (a === "--profile") o.profile = true;
    else throw new Error(`scan bench: unknown argument "${a}" (--gb N, --repeat N, --no-pin, --profile)`);
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

async function measure(kind: string, paths: string[], o: Options, nodeArgs: string[] = []): Promise<Measurement> {
  const out = await runChild(MEASURE, [kind, ...paths], { pinCpu: o.pin, nodeArgs: ["--expose-gc", ...nodeArgs] });
  return JSON.parse(out.trim().split("\n").pop()!) as Measurement;
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
  const startMachine = machine();

  const idle = await measure("idle", [], o);
  const bounds: Measurement[] = [];
  const scans: Measurement[] = [];
  const small: Measurement[] = [];
  for (let i = 0; i < o.repeat; i++) {
    process.stderr.write(`\r\x1b[Kscan bench: run ${i + 1}/${o.repeat}: bound`);
    bounds.push(await measure("bound", all, o));
    process.stderr.write(`\r\x1b[Kscan bench: run ${i + 1}/${o.repeat}: scan`);
    scans.push(await measure("scan", all, o));
    process.stderr.write(`\r\x1b[Kscan bench: run ${i + 1}/${o.repeat}: scan of the first day`);
    small.push(await measure("scan", quarter, o));
  }
  process.stderr.write("\r\x1b[K");
  if (o.profile) {
    const profDir = join(BENCH_DIR, "profiles");
    await mkdir(profDir, { recursive: true });
    await measure("scan", all, o, ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
    process.stderr.write(`scan bench: CPU profile of one full scan written to ${profDir}\n`);
  }

  const b = best(bounds);
  const s = best(scans);
  const q = best(small);
  if (s.records !== b.records) throw new Error(`scan bench: the scan read ${s.records} records, the bound ${b.records}: they must read the same files`);
  const t = new Table({ head: ["measurement", "files", "records", "raw MB", "CPU s", "records/s", "MB/s", "wall s", "peak RSS MB"], style: { head: [], border: [] } });
  const row = (name: string, m: Measurement) =>
    t.push([name, fmt(m.files), fmt(m.records), fmt(mb(m.rawBytes)), fmt(m.cpuMs / 1000, 2), fmt(m.records / (m.cpuMs / 1000)), fmt(mb(m.rawBytes) / (m.cpuMs / 1000)), fmt(m.wallMs / 1000, 2), fmt(m.maxRssMb)]);
  row("bound: gunzip + JSON.parse", b);
  row(`full scan (${s.alerts} alerts)`, s);
  row(`full scan, first day only`, q);
  t.push(["process baseline (modules loaded)", "", "", "", "", "", "", "", fmt(idle.maxRssMb)]);
  const ratio = b.wallMs / s.wallMs;
  const cpuRatio = b.cpuMs / s.cpuMs;
  const lines = [
    "",
    `scan benchmark (${o.pin ? "each process pinned to one core" : "unpinned"}, best of ${o.repeat} by CPU time; records/s and MB/s per CPU second)`,
    t.toString(),
    `scan / bound: ${fmt(cpuRatio * 100, 1)}% of the bound's throughput on CPU time (target >= 80%); ${fmt(ratio * 100, 1)}% on wall clock (other load on the machine makes this noisy)`,
    `memory: peak RSS ${fmt(q.maxRssMb)} MB for ${fmt(mb(q.rawBytes) / 1000, 2)} GB, ${fmt(s.maxRssMb)} MB for ${fmt(mb(s.rawBytes) / 1000, 2)} GB ` +
      `(largest file ${fmt(mb(b.largestFile), 1)} MB raw; process baseline ${fmt(idle.maxRssMb)} MB); ` +
      `heap still live after the scan: ${fmt(q.heapAfterMb ?? NaN, 1)} MB vs ${fmt(s.heapAfterMb ?? NaN, 1)} MB`,
    `machine: ${startMachine}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  await writeFile(join(BENCH_DIR, "scan-results.json"), JSON.stringify({ machine: startMachine, pinned: o.pin, repeat: o.repeat, bound: b, scan: s, firstDay: q, idle, ratio, cpuRatio, runs: { bounds, scans, small } }, null, 2) + "\n");
}

export const scanBench: BenchModule = {
  name: "scan",
  description: "full scan vs gunzip + JSON.parse over >= 1 GB of CloudTrail JSON; records/s, MB/s, peak memory",
  run,
};
