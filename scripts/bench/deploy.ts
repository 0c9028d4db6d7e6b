/**
 * Deployed-functions benchmark.
 *
 *   npm run bench -- deploy [--runs 7] [--mb 100] [--repeat 5] [--invocations 2] [--only bundles|analyzer]
 *
 * 1. Every handler the stack deploys, bundled exactly as `NodeFunction` bundles it: minified and
 *    zipped size, cold module-load time (median over `--runs` fresh `node` processes that require
 *    the bundle, minus the median of processes that require an empty module), and the five packages
 *    that add the most bytes. Targets: `TARGET_BYTES` (700 KB, KB = 1,000 bytes; 800 KB for functions that run the rule catalog) minified and `TARGET_LOAD_MS` (150 ms).
 * 2. The log analyzer handler on one gzipped CloudTrail object of `--mb` MB of JSON served by s3rver
 *    (dynalite for idempotency, SNS mocked), against gunzip + JSON.parse of the same object from
 *    disk, and the analyzer's decode + rule scan of it from disk (no AWS I/O) to tell analysis from
 *    I/O; each in a fresh child process, fastest of `--repeat`.
 *
 * Tables on stdout; everything measured in `.bench/deploy-results.json`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Table from "cli-table3";
import { BENCH_DIR, ROOT, machine, type BenchModule } from "./bench";
import { bundleForBench, deployedHandlers, measureAnalyzer, measureLoadTimes, type AnalyzerResult, type BundleReport, type LoadTime } from "./deploy/index";

/**
 * Budget of every deployed function: official SDK clients bundled and pinned, and still a cold module
 * load far below Lambda's init phase.
 */
export const TARGET_BYTES = 700_000;
/**
 * Budget of the functions that run the rule catalog (the log analyzer, the retro-hunt scan). Each rule
 * adds about 1.5 KB minified (its documentation is left out of bundles: rule-docs.ts), so a fixed
 * 700 KB would make detection coverage pay for bytes; the catalog gets 100 KB of room to grow, and
 * the cold load time (`TARGET_LOAD_MS`, measured by this benchmark) stays the binding limit.
 */
export const CATALOG_TARGET_BYTES = 800_000;
export const TARGET_LOAD_MS = 150;

/** The size budget of one bundle. */
export function sizeBudget(bundle: { carriesCatalog: boolean }): number {
  return bundle.carriesCatalog ? CATALOG_TARGET_BYTES : TARGET_BYTES;
}

interface Options {
  runs: number;
  mb: number;
  repeat: number;
  invocations: number;
  only?: "bundles" | "analyzer";
}

function parseArgs(args: string[]): Options {
  const o: Options = { runs: 7, mb: 100, repeat: 5, invocations: 2 };
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`deploy bench: ${name} must be an integer >= ${min} (got "${v}")`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--runs") o.runs = int("--runs", args[++i], 1);
    else if (a === "--repeat") o.repeat = int("--repeat", args[++i], 1);
    else if (a === "--invocations") o.invocations = int("--invocations", args[++i], 1);
    else if (a === "--mb") {
      o.mb = Number(args[++i]);
      if (!(o.mb > 0)) throw new Error("deploy bench: --mb must be a positive number");
    } else if (a === "--only") {
      const v = args[++i];
      if (v !== "bundles" && v !== "analyzer") throw new Error(`deploy bench: --only takes "bundles" or "analyzer" (got "${v}")`);
      o.only = v;
    } else throw new Error(`deploy bench: unknown argument "${a}" (--runs N, --mb N, --repeat N, --invocations N, --only bundles|analyzer)`);
  }
  return o;
}

const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const kb = (b: number) => fmt(b / 1000);
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
const progress = (s: string) => process.stderr.write(`\r\x1b[K${s}`);

interface FunctionResult extends Omit<BundleReport, "contributors" | "jsPath"> {
  load: LoadTime;
  sizePass: boolean;
  loadPass: boolean;
  declaredIn: string[];
}

async function measureFunctions(o: Options): Promise<{ functions: FunctionResult[]; baseline: { processMs: number; requireMs: number; cpuMs: number }; contributors: Record<string, BundleReport["contributors"]> }> {
  const outDir = join(BENCH_DIR, "deploy", "bundles");
  await mkdir(outDir, { recursive: true });
  const handlers = await deployedHandlers(ROOT);
  const bundles: BundleReport[] = [];
  for (const h of handlers) {
    progress(`deploy bench: bundling ${h.entry}`);
    bundles.push(await bundleForBench(h.name, h.entry, outDir));
  }
  const loads = await measureLoadTimes(bundles.map((b) => b.jsPath), o.runs, outDir, (done, total) => progress(`deploy bench: cold loads ${done}/${total}`));
  progress("");
  const functions = bundles.map((b, i): FunctionResult => {
    const load = loads.byPath.get(b.jsPath)!;
    const { contributors: _c, jsPath: _p, ...rest } = b;
    return { ...rest, load, sizePass: b.jsBytes <= sizeBudget(b), loadPass: load.coldMs <= TARGET_LOAD_MS, declaredIn: handlers[i]!.declaredIn };
  });
  return { functions, baseline: loads.baseline, contributors: Object.fromEntries(bundles.map((b) => [b.name, b.contributors])) };
}

function functionTables(fs: FunctionResult[], baseline: { processMs: number; requireMs: number; cpuMs: number }, runs: number): string[] {
  const t = new Table({
    head: ["function", "minified KB", "zipped KB", "cold load ms", "require() ms", "load CPU ms", `<= ${kb(TARGET_BYTES)} KB (${kb(CATALOG_TARGET_BYTES)} with the catalog)`, `<= ${TARGET_LOAD_MS} ms`],
    style: { head: [], border: [] },
  });
  for (const f of fs) t.push([f.name, kb(f.jsBytes), kb(f.zipBytes), fmt(f.load.coldMs), fmt(f.load.requireMs), fmt(f.load.cpuMs), verdict(f.sizePass), verdict(f.loadPass)]);
  const c = new Table({ head: ["function", "AWS SDK KB", "top 5 contributors (KB in the minified bundle)"], style: { head: [], border: [] } });
  for (const f of fs) c.push([f.name, kb(f.sdkBytes), f.top.map((x) => `${x.name} ${kb(x.bytes)}`).join(", ")]);
  const misses = fs.filter((f) => !f.sizePass || !f.loadPass);
  const lines = [
    "",
    `deployed functions: bundled as modules/lambda-function does (esbuild bundle, minify, node22, main-fields module,main, SDK bundled); ` +
      `cold load = median of ${runs} fresh node processes requiring the bundle minus the median of ${runs} requiring an empty module ` +
      `(${fmt(baseline.processMs)} ms); require() ms = the same timed inside the process; load CPU ms = the process's CPU time (all threads) minus the empty module's ` +
      `(${fmt(baseline.cpuMs)} ms), which other load on the machine disturbs far less than wall clock`,
    t.toString(),
    c.toString(),
  ];
  if (misses.length) {
    lines.push(`misses (${misses.length} of ${fs.length}):`);
    for (const f of misses) {
      const what = [!f.sizePass ? `${kb(f.jsBytes)} KB > ${kb(sizeBudget(f))} KB` : "", !f.loadPass ? `${fmt(f.load.coldMs)} ms > ${TARGET_LOAD_MS} ms (load CPU ${fmt(f.load.cpuMs)} ms)` : ""].filter(Boolean).join(", ");
      lines.push(`  ${f.name}: ${what}; AWS SDK ${kb(f.sdkBytes)} KB (${fmt((100 * f.sdkBytes) / f.jsBytes)} %); largest: ${f.top.slice(0, 3).map((x) => `${x.name} ${kb(x.bytes)} KB`).join(", ")}`);
    }
  } else lines.push(`all ${fs.length} functions within both targets`);
  return lines;
}

function analyzerTable(a: AnalyzerResult, invocations: number): string[] {
  const mb = a.object.rawBytes / 1e6;
  const t = new Table({ head: ["measurement", "records", "raw MB", "wall s", "CPU s", "records/s", "MB/s", "peak RSS MB"], style: { head: [], border: [] } });
  const row = (name: string, wallMs: number, cpuMs: number, rss: number | string) =>
    t.push([name, fmt(a.object.records), fmt(mb), fmt(wallMs / 1000, 2), fmt(cpuMs / 1000, 2), fmt(a.object.records / (wallMs / 1000)), fmt(mb / (wallMs / 1000)), typeof rss === "number" ? fmt(rss) : rss]);
  row("bound: read from disk + gunzip + JSON.parse", a.bound.wallMs, a.bound.cpuMs, a.bound.maxRssMb);
  row(`analyzer's decode + rule scan, from disk (${a.scan.alerts ?? 0} alerts)`, a.scan.wallMs, a.scan.cpuMs, a.scan.maxRssMb);
  const first = a.handler.invocations![0]!;
  row(`log-analyzer handler, 1st invocation (${first.alerts} alerts)`, first.wallMs, first.cpuMs, a.handler.maxRssMb);
  // Later invocations of every handler process: the container is warm (clients built, code compiled).
  const warm = a.runs.handler.flatMap((m) => m.invocations!.slice(1));
  if (warm.length) {
    const best = warm.reduce((x, y) => (y.wallMs < x.wallMs ? y : x));
    row(`log-analyzer handler, warm invocation (best of ${warm.length})`, best.wallMs, best.cpuMs, "");
  }
  return [
    "",
    `log analyzer: one gzipped CloudTrail object of ${fmt(mb, 1)} MB JSON (${fmt(a.object.gzBytes / 1e6, 1)} MB gzipped, ${fmt(a.object.records)} records of ` +
      `${fmt(a.object.rawBytes / a.object.records)} bytes on average), fastest of ${a.repeat} fresh processes each, ${invocations} invocation(s) per handler process`,
    t.toString(),
    `handler / bound: ${fmt((100 * a.bound.wallMs) / first.wallMs, 1)} % of the bound's throughput on wall clock, ${fmt((100 * a.bound.cpuMs) / first.cpuMs, 1)} % on CPU time ` +
      `(the handler also streams the object from s3rver over loopback and claims/completes it in dynalite; those servers run in the parent process); ` +
      `scan from disk / bound: ${fmt((100 * a.bound.wallMs) / a.scan.wallMs, 1)} % (wall), ${fmt((100 * a.bound.cpuMs) / a.scan.cpuMs, 1)} % (CPU)`,
    `handler process: loading the handler module (TypeScript via tsx) ${fmt(a.handler.loadMs ?? 0)} ms, RSS after load ${fmt(a.handler.rssAfterLoadMb ?? 0)} MB, peak RSS ${fmt(a.handler.maxRssMb)} MB; ` +
      `bound process peak RSS ${fmt(a.bound.maxRssMb)} MB`,
  ];
}

async function run(args: string[]): Promise<void> {
  const o = parseArgs(args);
  await mkdir(BENCH_DIR, { recursive: true });
  const startMachine = machine();
  const started = new Date().toISOString();
  const lines: string[] = [];
  const result: Record<string, unknown> = { machine: startMachine, started, options: o, targets: { bytes: TARGET_BYTES, catalogBytes: CATALOG_TARGET_BYTES, loadMs: TARGET_LOAD_MS } };

  if (o.only !== "analyzer") {
    const f = await measureFunctions(o);
    lines.push(...functionTables(f.functions, f.baseline, o.runs));
    Object.assign(result, { functions: f.functions, loadBaseline: f.baseline, contributors: f.contributors });
  }
  if (o.only !== "bundles") {
    const a = await measureAnalyzer({
      dir: join(BENCH_DIR, `deploy-analyzer-${o.mb}mb`), mb: o.mb, repeat: o.repeat, invocations: o.invocations,
      log: (s) => progress(`deploy bench: ${s}`),
    });
    progress("");
    lines.push(...analyzerTable(a, o.invocations));
    result.analyzer = a;
  }
  lines.push(`machine: ${startMachine}`, `(all figures above from this one run, started ${started})`, "");
  process.stdout.write(lines.join("\n"));
  const out = join(BENCH_DIR, "deploy-results.json");
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");
  process.stderr.write(`deploy bench: results in ${out}\n`);
}

export const deployBench: BenchModule = {
  name: "deploy",
  description: "deployed functions: bundle size, cold load time, top packages; log analyzer throughput on a 100 MB object vs gunzip + JSON.parse",
  run,
};
