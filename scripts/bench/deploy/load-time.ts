import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** One fresh `node` that required one file. */
interface LoadRun {
  /** From spawn to exit, as the parent saw it. */
  processMs: number;
  /** `require()` alone, timed inside the process. */
  requireMs: number;
  /** CPU time of the whole process (all its threads) up to the end of `require()`. */
  cpuMs: number;
}

/** Medians over the runs of one file, with the empty module's medians subtracted. */
export interface LoadTime {
  /** Median process time minus the empty module's: the cold module-load time. */
  coldMs: number;
  /** Median in-process `require()` time minus the empty module's (a cross-check). */
  requireMs: number;
  /**
   * Median CPU time of the process minus the empty module's: what the load costs in CPU, which other
   * load on the machine changes far less than it changes wall-clock time.
   */
  cpuMs: number;
  processRunsMs: number[];
}

export interface LoadTimes {
  baseline: { processMs: number; requireMs: number; cpuMs: number; processRunsMs: number[] };
  byPath: Map<string, LoadTime>;
  runs: number;
}

/** What each process runs: require the file, check it exports a handler, print the in-process time. */
const PROBE = [
  "const t0 = performance.now();",
  "const m = require(process.argv[1]);",
  "const ms = performance.now() - t0;",
  "if (process.argv[2] === 'handler' && typeof m.handler !== 'function') { process.stderr.write('no exported handler function'); process.exit(3); }",
  "const u = process.cpuUsage();",
  "process.stdout.write(JSON.stringify({ ms, cpu: (u.user + u.system) / 1000 }));",
].join("\n");

/**
 * A Lambda-like environment: the variables the runtime sets that SDK clients and Powertools read
 * while a module loads. Nothing of the parent's (no NODE_OPTIONS, no tsx loader, no profile).
 */
function lambdaEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_LAMBDA_FUNCTION_NAME: "trailwatch-bench",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    POWERTOOLS_METRICS_NAMESPACE: "trailwatch",
    POWERTOOLS_SERVICE_NAME: "bench",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

function once(file: string, mode: "handler" | "empty", timeoutMs = 20_000): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-e", PROBE, file, mode], { stdio: ["ignore", "pipe", "pipe"], env: lambdaEnv() });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file}: the process did not exit within ${timeoutMs} ms of requiring it (a timer or socket left open at load?)`));
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const processMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let probe: { ms?: number; cpu?: number } = {};
      try {
        probe = JSON.parse(out.trim()) as typeof probe;
      } catch {
        // reported below
      }
      if (code !== 0 || !Number.isFinite(probe.ms) || !Number.isFinite(probe.cpu)) reject(new Error(`${file}: loading it failed (exit ${code}): ${err.trim().slice(-1500)}`));
      else resolve({ processMs, requireMs: probe.ms!, cpuMs: probe.cpu! });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Cold module-load time of each file: `runs` fresh `node` processes per file, each requiring it once,
 * and as many requiring an empty module (the baseline: Node's own start-up and exit). Runs are
 * interleaved (baseline, file 1, file 2, ..., then again) so that a change of load on the machine
 * touches every file alike. Processes are not pinned to a core: Node compiles and collects garbage
 * on helper threads, as it does in Lambda.
 */
export async function measureLoadTimes(paths: string[], runs: number, workDir: string, onProgress?: (done: number, total: number) => void): Promise<LoadTimes> {
  const empty = join(workDir, "empty.js");
  writeFileSync(empty, "");
  const base: LoadRun[] = [];
  const per = new Map<string, LoadRun[]>(paths.map((p) => [p, []]));
  // One warm-up of each (page cache, first spawn of node), not counted.
  await once(empty, "empty");
  for (const p of paths) await once(p, "handler");
  const total = runs * (paths.length + 1);
  let done = 0;
  for (let r = 0; r < runs; r++) {
    base.push(await once(empty, "empty"));
    onProgress?.(++done, total);
    for (const p of paths) {
      per.get(p)!.push(await once(p, "handler"));
      onProgress?.(++done, total);
    }
  }
  const baseProcess = median(base.map((r) => r.processMs));
  const baseRequire = median(base.map((r) => r.requireMs));
  const baseCpu = median(base.map((r) => r.cpuMs));
  const byPath = new Map<string, LoadTime>();
  for (const [p, rs] of per) {
    byPath.set(p, {
      coldMs: Math.max(0, median(rs.map((r) => r.processMs)) - baseProcess),
      requireMs: Math.max(0, median(rs.map((r) => r.requireMs)) - baseRequire),
      cpuMs: Math.max(0, median(rs.map((r) => r.cpuMs)) - baseCpu),
      processRunsMs: rs.map((r) => r.processMs),
    });
  }
  return { baseline: { processMs: baseProcess, requireMs: baseRequire, cpuMs: baseCpu, processRunsMs: base.map((r) => r.processMs) }, byPath, runs };
}
