/**
 * One measurement of the scoring benchmark, run by `scoring.ts` in a fresh child process so its time
 * and peak memory are its own. Prints one JSON line on stdout.
 *
 *   bound DIR      read + gunzip + JSON.parse of every log file of the day folder (the practical bound)
 *   read DIR       the scoring read step on the same files: decode + (principal, API) pair counting
 *   score P A      the built-in scorer: 14 days of history for P principals x A APIs, then one day scored
 */
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import { BuiltinScorer } from "../../functions/core/scoring/builtin-scorer";
import { PairHistory, type DayPairs } from "../../functions/core/scoring/history";
import type { PairCount } from "../../functions/core/scoring/pair";
import { readPairs } from "../../functions/core/scoring/read-day";
import { gunzipLogFile } from "./bench";

export interface ScoringMeasurement {
  kind: string;
  files?: number;
  records?: number;
  rawBytes?: number;
  pairs?: number;
  historyPairs?: number;
  historyMs?: number;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const rss = () => process.resourceUsage().maxRSS / 1024;

async function listFiles(dir: string): Promise<{ id: string; size?: number }[]> {
  const out: { id: string; size?: number }[] = [];
  for await (const f of new LocalLogSource([dir]).files()) if (!f.skip) out.push(f);
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** P principals, each with A APIs drawn from a shared pool of 4A, daily counts log-uniform 1..1000 with 30 % noise. */
function syntheticDays(principals: number, apis: number, days: number): DayPairs[] {
  const rand = rng(42);
  const habits: { principal: string; eventSource: string; eventName: string; rate: number }[] = [];
  for (let u = 0; u < principals; u++) {
    for (let k = 0; k < apis; k++) {
      const api = Math.floor(Math.pow(rand(), 2) * apis * 4);
      habits.push({ principal: `arn:aws:iam::210987654321:role/workload-${u}`, eventSource: `svc${api % 40}.amazonaws.com`, eventName: `Api${api}`, rate: Math.exp(rand() * Math.log(1000)) });
    }
  }
  return Array.from({ length: days }, (_, d) => {
    const seen = new Map<string, PairCount>();
    for (const h of habits) {
      if (rand() < 0.2) continue;
      const key = `${h.principal}|${h.eventSource}|${h.eventName}`;
      const count = Math.max(1, Math.round(h.rate * (0.7 + 0.6 * rand())));
      const p = seen.get(key);
      if (p) p.count += count;
      else seen.set(key, { ...h, principalType: "AssumedRole", count, firstSeen: "", lastSeen: "", firstEventId: "" });
    }
    return { day: `2026/11/${String(d + 1).padStart(2, "0")}`, pairs: [...seen.values()] };
  });
}

async function measure(kind: string, args: string[]): Promise<ScoringMeasurement> {
  if (kind === "bound") {
    const files = await listFiles(args[0]!);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let records = 0;
    let rawBytes = 0;
    for (const f of files) {
      const text = gunzipLogFile(f.id).toString("utf8");
      rawBytes += text.length;
      records += (JSON.parse(text) as { Records: unknown[] }).Records.length;
    }
    return { kind, files: files.length, records, rawBytes, wallMs: performance.now() - t0, cpuMs: cpuMs(process.cpuUsage(c0)), maxRssMb: rss() };
  }
  if (kind === "read") {
    const files = await listFiles(args[0]!);
    const source = new LocalLogSource([args[0]!]);
    const listed = { files: async function* () { yield* files; }, read: (f: { id: string }) => source.read(f) };
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await readPairs(listed, { concurrency: 4 });
    const s = res.stats;
    return { kind, files: s.files, records: s.records + s.serviceRecords, rawBytes: s.bytes, pairs: res.pairs.length, wallMs: performance.now() - t0, cpuMs: cpuMs(process.cpuUsage(c0)), maxRssMb: rss() };
  }
  if (kind === "score") {
    const [principals, apis] = args.map(Number) as [number, number];
    const days = syntheticDays(principals, apis, 15);
    const today = days.pop()!;
    (globalThis as { gc?: () => void }).gc?.();
    const h0 = performance.now();
    const history = new PairHistory(days);
    const historyMs = performance.now() - h0;
    const scorer = new BuiltinScorer(history);
    // The synthetic data's garbage is not the scorer's: collect it before the clock starts.
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let sum = 0;
    for (const p of today.pairs) sum += scorer.scoreOne(p).score;
    if (!Number.isFinite(sum)) throw new Error("a score was not finite");
    return {
      kind, pairs: today.pairs.length, historyPairs: days.reduce((n, d) => n + d.pairs.length, 0), historyMs,
      wallMs: performance.now() - t0, cpuMs: cpuMs(process.cpuUsage(c0)), maxRssMb: rss(),
    };
  }
  throw new Error(`unknown measurement "${kind}" (bound DIR, read DIR, score P A)`);
}

const [kind, ...args] = process.argv.slice(2);
measure(kind ?? "", args).then(
  (m) => process.stdout.write(JSON.stringify(m) + "\n"),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
