import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Alert } from "../../core/alert/alert";
import type { LogFileRef } from "../../core/ports";
import { recordFromText } from "../../core/record/record-filter";
import type { RuleEngine } from "../../core/rules/engine";
import type { ThresholdTracker } from "../../core/rules/threshold-tracker";
import type { AnyThresholdRule } from "../../core/rules/threshold-rule";
import { isThresholdRule, type ThresholdSettings } from "../../core/rules/threshold-rule";
import type { Decoding } from "../../core/rules/engine-filter";
import type { SuppressionCounts, SuppressionRun } from "../../core/rules/tuning/suppression";
import type { ScanResult } from "../../core/scan";
import { ScanMerger, type FileOutcome } from "../../core/scan-merge";
import type { TimeWindow } from "../../core/sources/time-window";
import type { FromWorker, SentObservation, ToWorker, WorkerSetup } from "./messages";
import { Schedule } from "./schedule";
import { scanWorkerBundle } from "./worker-bundle";

/** The default number of workers: one per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Progress of a pooled scan, counted as files finish (in any order). */
export interface PoolProgress {
  filesDone: number;
  storedBytes: number;
  records: number;
  /** Single-event alerts found so far (threshold alerts are counted as files are merged). */
  findings: number;
}

export interface PoolOptions {
  jobs: number;
  /** The main thread's engine: the workers build theirs from the same options. */
  engine: RuleEngine;
  engineOptions: WorkerSetup["engine"];
  /** The files the main thread's rule set was loaded from (tuning, custom rules): each worker loads the same. */
  ruleSet?: WorkerSetup["ruleSet"];
  /** The suppressions of the main thread's tuned rules: the workers' counts are added to them. */
  suppressions?: SuppressionRun;
  thresholds?: ThresholdTracker;
  window?: TimeWindow;
  maxRecordProblems?: number;
  decoding?: Decoding;
  onProgress?(p: Readonly<PoolProgress>): void;
  /** Every alert with the file it came from (for a threshold alert, the file that reached the threshold). */
  onAlert?(alert: Alert, file: LogFileRef): void;
  /** Peak memory of each worker (heap + buffers, bytes), reported at the end. */
  onWorkerMemory?(peaks: number[]): void;
  /** A file a worker finished (`worker`: its slot, 0 to jobs - 1). */
  onFileDone?(file: LogFileRef, worker: number): void;
  /**
   * Workers run the bundled worker (built once, cached: see worker-bundle.ts) unless this is false;
   * without a bundle they load the TypeScript sources through tsx.
   */
  bundle?: boolean;
}

/** Finished files waiting to be merged, counted in observations and alerts, beyond which the oldest file goes next. */
const MAX_WAITING_ITEMS = 200_000;
/** Files handed to a worker at once: one being evaluated, one being read. */
const IN_FLIGHT = 2;
/** Workers started again after one stopped unexpectedly, before the remaining files are given up. */
const MAX_RESTARTS = 4;

/** A worker's result for one file, as merged. */
interface Done {
  outcome: FileOutcome;
  observations: SentObservation[];
  ruleErrors: [string, { count: number; first: string }][];
  suppressions?: SuppressionCounts;
}

/**
 * Scans local files with a pool of worker threads: the files are handed out largest first, each worker
 * reads, decodes and evaluates its files, and the main thread merges the results in the order the files
 * were listed (statistics, problems, deduplicated alerts, and the threshold rules' observations counted
 * file by file), so the result is the same as a scan on one thread, whatever the timing. A file a
 * worker fails on is reported as unreadable; the run goes on.
 */
export async function scanWithWorkers(refs: readonly LogFileRef[], opts: PoolOptions): Promise<ScanResult> {
  const maxRecordProblems = opts.maxRecordProblems ?? 1000;
  const merger = new ScanMerger(maxRecordProblems);
  const rules = new Map<string, AnyThresholdRule>();
  for (const r of opts.engine.rules) if (isThresholdRule(r)) rules.set(r.id, r);
  const todo = refs.map((r) => r.error === undefined && !r.skip);
  const schedule = new Schedule(refs.map((r) => Math.max(r.size ?? 0, 0)), todo);
  const results = new Map<number, Done | { failed: string }>();
  let merged = 0;
  let waiting = 0;
  const progress: PoolProgress = { filesDone: 0, storedBytes: 0, records: 0, findings: 0 };
  const setup: WorkerSetup = {
    engine: opts.engineOptions, ...(opts.ruleSet ? { ruleSet: opts.ruleSet } : {}), thresholds: opts.thresholds !== undefined, maxRecordProblems, decoding: opts.decoding ?? "auto",
    ...(opts.window ? { window: { from: opts.window.from.getTime(), to: opts.window.to.getTime() } } : {}),
  };

  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const allMerged = new Promise<void>((res, rej) => ((finish = res), (fail = rej)));
  let merging = Promise.resolve();

  /** Merges every result that is next in listing order. */
  const mergeReady = () => {
    merging = merging.then(async () => {
      while (merged < refs.length) {
        const ref = refs[merged]!;
        if (todo[merged]) {
          const r = results.get(merged);
          if (!r) return;
          results.delete(merged);
          if ("failed" in r) merger.file(ref, { storedBytes: Math.max(ref.size ?? 0, 0), bytes: 0, records: 0, invalidRecords: 0, invalid: [], alerts: [], error: r.failed });
          else {
            waiting -= r.observations.length + r.outcome.alerts.length;
            merger.file(ref, r.outcome, opts.onAlert ? (a) => opts.onAlert!(a, ref) : undefined);
            merger.ruleErrorsOf(r.ruleErrors);
            if (r.suppressions) {
              if (!opts.suppressions) throw new Error("a scan worker counted suppressions the main thread's rule set does not have");
              opts.suppressions.addCounts(r.suppressions);
            }
            if (opts.thresholds) {
              for (const o of r.observations) {
                const rule = rules.get(o.rule);
                if (!rule) throw new Error(`scan worker counted for unknown rule ${o.rule}`);
                opts.thresholds.add(rule, opts.engine.settingsOf(o.rule) as ThresholdSettings, o.group, o.key, o.label, o.t, recordFromText(o.recordJson), o.principal);
              }
              await merger.thresholds(opts.thresholds, ref.id, opts.onAlert ? (a) => opts.onAlert!(a, ref) : undefined);
            }
          }
        } else merger.notRead(ref);
        merged++;
      }
      finish();
    }).catch(fail);
  };

  const jobs = Math.max(1, Math.min(opts.jobs, todo.filter(Boolean).length || 1));
  const peaks: number[] = [];
  const workers = new Set<Worker>();
  let restarts = 0;
  // Files are handed out once every worker is ready, one each in turn, so the largest files start on different workers.
  const waitingToStart: (() => void)[] = [];
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const firsts = waitingToStart.filter((_, k) => k % 2 === 0);
    const seconds = waitingToStart.filter((_, k) => k % 2 === 1);
    for (const g of [...firsts, ...seconds]) g();
  };

  const script = await workerScript(opts.bundle !== false);
  const start = (slot: number, restarted = false) => {
    const w = new Worker(script.path, { workerData: setup, argv: script.argv });
    workers.add(w);
    const inFlight = new Map<number, true>();
    let exited = false;
    const give = (upTo = IN_FLIGHT) => {
      while (inFlight.size < upTo) {
        const i = schedule.take(waiting > MAX_WAITING_ITEMS);
        if (i === undefined) {
          if (inFlight.size === 0) w.postMessage({ type: "stop" } satisfies ToWorker);
          return;
        }
        inFlight.set(i, true);
        w.postMessage({ type: "file", seq: i, ref: refs[i]! } satisfies ToWorker);
      }
    };
    w.on("message", (m: FromWorker) => {
      if (m.type === "ready") {
        if (restarted || released) return give();
        waitingToStart.push(() => give(1), () => give());
        if (waitingToStart.length === 2 * jobs) release();
        return;
      }
      inFlight.delete(m.seq);
      opts.onFileDone?.(refs[m.seq]!, slot);
      if (m.type === "failed") results.set(m.seq, { failed: `read failed: ${m.message}` });
      else {
        peaks[slot] = Math.max(peaks[slot] ?? 0, m.memory);
        results.set(m.seq, { outcome: m.outcome, observations: m.observations, ruleErrors: m.ruleErrors, ...(m.suppressions ? { suppressions: m.suppressions } : {}) });
        waiting += m.observations.length + m.outcome.alerts.length;
        progress.filesDone++;
        progress.storedBytes += m.outcome.storedBytes;
        progress.records += m.outcome.records;
        progress.findings += m.outcome.alerts.length;
        opts.onProgress?.(progress);
      }
      mergeReady();
      give();
    });
    const lost = (why: string) => {
      if (exited) return;
      exited = true;
      workers.delete(w);
      // The files it held cannot be told apart from files that break workers: they are reported, the run goes on.
      for (const i of inFlight.keys()) results.set(i, { failed: `read failed: the scan worker stopped (${why})` });
      inFlight.clear();
      release();
      mergeReady();
      if (merged < refs.length && restarts++ < MAX_RESTARTS) start(slot, true);
      else if (workers.size === 0) drainUnreadable(why);
    };
    w.on("error", (e) => lost(e.message));
    w.on("exit", (code) => {
      if (!exited && code !== 0) lost(`exit code ${code}`);
      exited = true;
      workers.delete(w);
    });
  };
  /** No worker is left: every file not yet read is reported, so the run still ends with what it has. */
  const drainUnreadable = (why: string) => {
    for (let i = schedule.take(true); i !== undefined; i = schedule.take(true)) results.set(i, { failed: `not read: the scan workers kept stopping (${why})` });
    mergeReady();
  };

  if (!todo.some(Boolean)) mergeReady();
  else for (let k = 0; k < jobs; k++) start(k);
  try {
    await allMerged;
  } finally {
    await Promise.all([...workers].map((w) => w.terminate()));
  }
  opts.onWorkerMemory?.(peaks);
  const result = merger.finish();
  if (opts.suppressions) {
    const { suppressed, expired } = opts.suppressions.report(opts.engine.rules.map((r) => r.id));
    result.suppressed = suppressed;
    result.expiredSuppressions = expired;
  }
  return result;
}

/**
 * The worker's entry: the compiled file next to this one; from the TypeScript sources, the cached
 * bundle when one can be had, else the sources through tsx's hook.
 */
async function workerScript(bundled: boolean): Promise<{ path: string; argv: string[] }> {
  if (!__filename.endsWith(".ts")) return { path: join(__dirname, "worker.js"), argv: [] };
  const bundle = bundled ? await scanWorkerBundle() : undefined;
  return bundle ? { path: join(__dirname, "worker-bundled-entry.cjs"), argv: [bundle] } : { path: join(__dirname, "worker-entry.cjs"), argv: [] };
}
