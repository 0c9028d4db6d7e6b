import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { LocalLogSource } from "../../adapters/local/log-source";
import type { LogFileContent, LogFileRef, ReadOptions, ThresholdStateStore } from "../../core/ports";
import { catalog } from "../../core/rules/catalog";
import { RuleEngine } from "../../core/rules/engine";
import { ThresholdTracker } from "../../core/rules/threshold-tracker";
import { readOptionsFor } from "../../core/rules/engine-filter";
import { decodeSelectedBytes } from "../../adapters/selective-content";
import { evaluateFile } from "../../core/scan-merge";
import { recordsInWindow, windowedFilter } from "../../core/sources/window-filter";
import { loadRuleSet, type RuleSet } from "../rule-set";
import { tunedRules } from "../../core/rules/tuning/apply";
import { sendableObservations, type FromWorker, type ToWorker, type WorkerSetup } from "./messages";

/**
 * A scan worker: reads the files the main thread hands it (decompression, selective decoding), runs
 * the rule engine over them and sends back, per file, what `evaluateFile` found and the file's
 * threshold observations folded. Counting and deduplication stay on the main thread, in file order.
 */
function main(): void {
  const port = parentPort;
  if (!port) throw new Error("scan worker: not started as a worker thread");
  const setup = workerData as WorkerSetup;
  // A tuned or extended rule set is loaded from the same files as on the main thread (functions cannot be sent).
  const tuned = setup.ruleSet ? tunedRules(...ruleSetOf(setup.ruleSet), setup.engine.only ? { only: setup.engine.only } : {}) : undefined;
  const engine = tuned ? new RuleEngine(tuned.rules, { ...setup.engine, settings: tuned.settings }) : new RuleEngine(catalog, setup.engine);
  const source = new LocalLogSource([]);
  const window = setup.window ? { from: new Date(setup.window.from), to: new Date(setup.window.to) } : undefined;
  const selective = readOptionsFor(engine, setup.decoding, decodeSelectedBytes);
  const readOptions: ReadOptions = selective.filter && window ? { ...selective, filter: windowedFilter(selective.filter, window) } : selective;
  const read = async (ref: LogFileRef): Promise<LogFileContent> => {
    try {
      const content = await source.read(ref, readOptions);
      return window ? recordsInWindow(content, window) : content;
    } catch (e) {
      return { records: [], invalid: [], error: `read failed: ${(e as Error).message}`, bytes: 0 };
    }
  };
  // Files are evaluated in the order they come; the next one is read while the current one is evaluated.
  const queue: { seq: number; ref: LogFileRef; content: Promise<LogFileContent> }[] = [];
  let running = false;
  let stopping = false;
  const run = async () => {
    if (running) return;
    running = true;
    while (queue.length > 0) {
      const job = queue.shift()!;
      try {
        const content = await job.content;
        engine.ruleErrors.clear();
        const fold = setup.thresholds ? new ThresholdTracker(NEVER_STORED) : undefined;
        const outcome = evaluateFile(job.ref, content, engine, fold, setup.maxRecordProblems);
        const heap = getHeapStatistics();
        const msg: FromWorker = {
          type: "done", seq: job.seq, outcome, observations: fold ? sendableObservations(fold.takeBatch()) : [],
          ruleErrors: [...engine.ruleErrors], ...(tuned?.suppressions ? { suppressions: tuned.suppressions.takeCounts() } : {}), memory: heap.used_heap_size + ((heap as { external_memory?: number }).external_memory ?? 0),
        };
        port.postMessage(msg);
      } catch (e) {
        port.postMessage({ type: "failed", seq: job.seq, message: (e as Error).message ?? String(e) } satisfies FromWorker);
      }
    }
    running = false;
    if (stopping) port.close();
  };
  port.on("message", (m: ToWorker) => {
    if (m.type === "stop") {
      stopping = true;
      if (!running) port.close();
      return;
    }
    queue.push({ seq: m.seq, ref: m.ref, content: read(m.ref) });
    void run();
  });
  port.postMessage({ type: "ready" } satisfies FromWorker);
}

function ruleSetOf(files: NonNullable<WorkerSetup["ruleSet"]>): [RuleSet["rules"], RuleSet["tuning"]] {
  const set = loadRuleSet(files);
  return [set.rules, set.tuning];
}

/** The store of a tracker that only folds a file's observations (it is never flushed: the main thread counts). */
const NEVER_STORED: ThresholdStateStore = {
  load: () => Promise.reject(new Error("a scan worker's tracker only folds observations")),
  save: () => Promise.reject(new Error("a scan worker's tracker only folds observations")),
};

main();
