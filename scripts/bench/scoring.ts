/**
 * Scoring benchmark: (1) pairs scored per second by the built-in scorer, and (2) the scoring read
 * step (decode + (principal, API) pair counting, the code each Map iteration runs) over one day of a
 * busy account, against the practical bound of reading, gunzipping and JSON.parse-ing the same files.
 *
 *   npm run bench -- scoring [--gb 1] [--repeat 3] [--principals 2000] [--apis 25] [--no-pin]
 *
 * Data: one day of one busy account in one region, at least `--gb` GB of raw CloudTrail JSON from the
 * synthetic organization generator, generated once and cached in `.bench/`. Each measurement runs in
 * a fresh child process (pinned to one core with taskset when available); the best of `--repeat` runs
 * is kept, because other processes on the machine only ever make a run slower.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Table from "cli-table3";
import { generateOrganization, readManifest, type Manifest } from "../generator";
import { READ_NODE_OPTIONS } from "../../modules/scoring/scoring";
import { BENCH_DIR, canPin, machine, runChild, type BenchModule } from "./bench";
import type { ScoringMeasurement } from "./scoring-measure";

const MEASURE = join(__dirname, "scoring-measure.ts");
const ACCOUNT = { id: "210987654321", name: "busy-prod", kind: "production" as const };
const REGION = "eu-west-1";
const DAY = "2026-11-20";
/** Raw JSON bytes per record of the generator's mix (as the scan bench measured); sizes the data set. */
const BYTES_PER_RECORD = 1450;

interface Options {
  gb: number;
  repeat: number;
  principals: number;
  apis: number;
  pin: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { gb: 1, repeat: 3, principals: 2000, apis: 25, pin: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--gb") o.gb = Number(args[++i]);
    else if (a === "--repeat") o.repeat = Number(args[++i]);
    else if (a === "--principals") o.principals = Number(args[++i]);
    else if (a === "--apis") o.apis = Number(args[++i]);
    else if (a === "--no-pin") o.pin = false;
    else throw new Error(`scoring bench: unknown argument "${a}" (--gb N, --repeat N, --principals N, --apis N, --no-pin)`);
  }
  if (!(o.gb > 0)) throw new Error("scoring bench: --gb must be a positive number");
  for (const k of ["repeat", "principals", "apis"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`scoring bench: --${k} must be a positive integer`);
  }
  return o;
}

/** The cached day, generated when absent or too small. */
async function dataset(gb: number): Promise<{ dayDir: string; manifest: Manifest }> {
  const dir = join(BENCH_DIR, `scoring-day-${gb}gb`);
  const dayDir = join(dir, "AWSLogs", ACCOUNT.id, "CloudTrail", REGION, ...DAY.split("-"));
  const want = gb * 1e9;
  const existing = await readManifest(dir).catch(() => undefined);
  if (existing && existing.counts.rawBytes >= want) return { dayDir, manifest: existing };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const recordsPerDay = Math.ceil((want * 1.06) / BYTES_PER_RECORD);
  process.stderr.write(`scoring bench: generating one day of one busy account (${REGION}, ~${recordsPerDay.toLocaleString("en-US")} records) in ${dir}, once ...\n`);
  const t0 = performance.now();
  const manifest = await generateOrganization({
    outDir: dir, seed: "bench-scoring", days: 1, endDate: DAY, accounts: [ACCOUNT], regions: [REGION], recordsPerDay, maxRecordsPerFile: 4000, attacks: false,
  });
  process.stderr.write(`scoring bench: generated ${manifest.counts.files} files, ${(manifest.counts.rawBytes / 1e9).toFixed(2)} GB raw, ${(manifest.counts.storedBytes / 1e6).toFixed(0)} MB gzipped in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  if (manifest.counts.rawBytes < want) throw new Error(`scoring bench: generated only ${(manifest.counts.rawBytes / 1e9).toFixed(2)} GB; raise BYTES_PER_RECORD's margin`);
  return { dayDir, manifest };
}

async function measure(o: Options, kind: string, args: string[], nodeArgs: string[] = []): Promise<ScoringMeasurement> {
  const out = await runChild(MEASURE, [kind, ...args], { pinCpu: o.pin, nodeArgs: ["--expose-gc", ...nodeArgs] });
  return JSON.parse(out.trim().split("\n").pop()!) as ScoringMeasurement;
}

const best = (ms: ScoringMeasurement[]) => ms.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = (b: number) => b / 1e6;

async function run(args: string[]): Promise<void> {
  const o = parseArgs(args);
  if (o.pin && !(await canPin())) {
    process.stderr.write("scoring bench: taskset is not available; measuring unpinned\n");
    o.pin = false;
  }
  const { dayDir } = await dataset(o.gb);
  const startMachine = machine();
  const bounds: ScoringMeasurement[] = [];
  const reads: ScoringMeasurement[] = [];
  const tuned: ScoringMeasurement[] = [];
  const scores: ScoringMeasurement[] = [];
  for (let i = 0; i < o.repeat; i++) {
    process.stderr.write(`\r\x1b[Kscoring bench: run ${i + 1}/${o.repeat}: bound`);
    bounds.push(await measure(o, "bound", [dayDir]));
    process.stderr.write(`\r\x1b[Kscoring bench: run ${i + 1}/${o.repeat}: read`);
    reads.push(await measure(o, "read", [dayDir]));
    process.stderr.write(`\r\x1b[Kscoring bench: run ${i + 1}/${o.repeat}: read with the Lambda's ${READ_NODE_OPTIONS}`);
    tuned.push(await measure(o, "read", [dayDir], READ_NODE_OPTIONS.split(" ")));
    process.stderr.write(`\r\x1b[Kscoring bench: run ${i + 1}/${o.repeat}: score`);
    scores.push(await measure(o, "score", [String(o.principals), String(o.apis)]));
  }
  process.stderr.write("\r\x1b[K");
  const b = best(bounds);
  const r = best(reads);
  const rt = best(tuned);
  const s = best(scores);
  if (r.records !== b.records) throw new Error(`scoring bench: the read counted ${r.records} records, the bound parsed ${b.records}: they must read the same files`);

  const t = new Table({ head: ["measurement", "files", "records", "raw MB", "wall s", "records/s", "MB/s", "CPU s", "peak RSS MB"], style: { head: [], border: [] } });
  const row = (name: string, m: ScoringMeasurement) =>
    t.push([name, fmt(m.files!), fmt(m.records!), fmt(mb(m.rawBytes!)), fmt(m.wallMs / 1000, 2), fmt(m.records! / (m.wallMs / 1000)), fmt(mb(m.rawBytes!) / (m.wallMs / 1000)), fmt(m.cpuMs / 1000, 2), fmt(m.maxRssMb)]);
  row("bound: gunzip + JSON.parse", b);
  row(`read into pairs (${fmt(r.pairs!)} pairs)`, r);
  row(`read into pairs, ${READ_NODE_OPTIONS} (as deployed)`, rt);
  const ratio = b.wallMs / r.wallMs;
  const tunedRatio = b.wallMs / rt.wallMs;
  const lines = [
    "",
    `scoring benchmark (${o.pin ? "each process pinned to one core" : "unpinned"}, best of ${o.repeat})`,
    t.toString(),
    `read / bound: ${fmt(ratio * 100, 1)}% of the bound's throughput (wall clock), ${fmt((b.cpuMs / r.cpuMs) * 100, 1)}% (CPU time); ` +
      `with ${READ_NODE_OPTIONS}: ${fmt(tunedRatio * 100, 1)}% (wall clock), ${fmt((b.cpuMs / rt.cpuMs) * 100, 1)}% (CPU time)`,
    `built-in scorer: ${fmt(s.pairs!)} pairs scored in ${fmt(s.wallMs, 1)} ms = ${fmt(s.pairs! / (s.wallMs / 1000))} pairs/s ` +
      `(history of 14 days, ${fmt(s.historyPairs!)} pair-days, indexed in ${fmt(s.historyMs!, 0)} ms; peak RSS ${fmt(s.maxRssMb)} MB)`,
    `machine: ${startMachine}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  await writeFile(join(BENCH_DIR, "scoring-results.json"), JSON.stringify({ machine: startMachine, pinned: o.pin, repeat: o.repeat, bound: b, read: r, readTuned: rt, score: s, ratio, tunedRatio, runs: { bounds, reads, tuned, scores } }, null, 2) + "\n");
}

export const scoringBench: BenchModule = {
  name: "scoring",
  description: "built-in scorer pairs/s; a busy account's day (>= 1 GB JSON) read into pairs vs gunzip + JSON.parse",
  run,
};
