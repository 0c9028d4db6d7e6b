import type { Alert } from "../../core/alert/alert";
import { catalog } from "../../core/rules/catalog";
import { RuleEngine } from "../../core/rules/engine";
import type { CatalogRule } from "../../core/rules/threshold-rule";
import type { TunedRules, TuneOptions } from "../../core/rules/tuning/apply";
import { ThresholdTracker } from "../../core/rules/threshold-tracker";
import { scanLogs } from "../../core/scan";
import { windowedSource } from "../../core/sources/window-filter";
import { huntBatchEventSchema, type BatchResult, type HuntBatchEvent } from "../../core/hunt/batch";
import { huntKeys } from "../../core/hunt/hunt-keys";
import { firstProblems } from "../../core/hunt/summary";
import { MemoryThresholdStore } from "../../adapters/local/memory-threshold-store";
import { S3KeysLogSource } from "../../adapters/aws/s3-keys-log-source";
import { S3ObjectWriter } from "../../adapters/aws/s3-object-writer";

/** The scan function's settings (its environment, parsed by the handler). */
export interface ScanEnv {
  trailBucket: string;
  resultsBucket: string;
  logRoot: string;
  ruleSettings: Record<string, unknown>;
  readConcurrency: number;
  maxObjectBytes: number;
}

/** What the scan step works with; the handler builds it. */
export interface ScanDeps {
  /** The S3 client of the trail and results buckets. */
  s3: ConstructorParameters<typeof S3KeysLogSource>[0];
  logger: { info(message: string, ...extra: Record<string, unknown>[]): void };
  /** The rules to run (the catalog and the deployment's own; default: the catalog). */
  rules?: readonly CatalogRule[];
  /**
   * The deployment's tuning for one batch (rules switched off, severities, settings, suppressions),
   * as the log analyzer applies it; without it `rules` run with `ruleSettings`.
   */
  tune?: (opts: TuneOptions) => TunedRules;
}

/** A batch event that is not what the state machine sends (it is never retried: it cannot succeed). */
export class InvalidBatchError extends Error {
  override name = "InvalidBatch";
}

/**
 * The Distributed Map's worker: scans one batch of log files with the same code as `trailwatch scan`
 * and the log analyzer (`scanLogs`, the rule engine, the log decoding), keeping only the events of
 * the hunt's window. Each alert is marked `retroHunt` (the hunt and its window), the batch's alerts go
 * to `hunts/<id>/alerts/<batch>.jsonl` and a small result (counts, alerts by rule, the first problems)
 * goes back to the map. Threshold rules count within the batch, in memory, as `trailwatch scan` counts
 * within a run: a burst whose events fall into two batches is not seen. An unreadable file or record is reported and the rest scanned; throttling
 * that outlasts the SDK's retries fails the batch with `TransientError`, which the state machine retries.
 */
export async function scanBatch(event: unknown, cfg: ScanEnv, deps: ScanDeps): Promise<BatchResult> {
  const { s3, logger } = deps;
  const parsed = huntBatchEventSchema.safeParse(event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new InvalidBatchError(`not a retro-hunt batch: ${i?.path.join(".") || "(event)"}: ${i?.message ?? "invalid"}`);
  }
  const ev: HuntBatchEvent = parsed.data;
  const { hunt } = ev;
  const window = { from: new Date(hunt.from), to: new Date(hunt.to) };
  // A fresh engine (and suppression run) per batch: its rule-error and suppression counts are this batch's own.
  const tuned = deps.tune?.(hunt.rules ? { only: hunt.rules } : {});
  const engine = new RuleEngine(tuned?.rules ?? deps.rules ?? catalog, { only: hunt.rules, minSeverity: hunt.minSeverity, settings: tuned?.settings ?? cfg.ruleSettings });
  const source = new S3KeysLogSource(s3, cfg.trailBucket, ev.items, { concurrency: cfg.readConcurrency, maxObjectBytes: cfg.maxObjectBytes, requiredPrefix: cfg.logRoot });
  const thresholds = new ThresholdTracker(new MemoryThresholdStore(), hunt.minSeverity ? { minSeverity: hunt.minSeverity } : {});
  const result = await scanLogs(windowedSource(source, window), engine, {
    maxRecordProblems: 100, thresholds, ...(tuned?.suppressions ? { suppressions: tuned.suppressions } : {}),
  });

  const marker = { hunt: hunt.id, from: hunt.from, to: hunt.to };
  const alerts: Alert[] = result.alerts.map((a) => ({ ...a, retroHunt: marker }));
  const alertsByRule: Record<string, number> = {};
  for (const a of alerts) alertsByRule[a.rule] = (alertsByRule[a.rule] ?? 0) + 1;
  let alertsKey: string | undefined;
  if (alerts.length > 0) {
    alertsKey = huntKeys(hunt.id).batchAlerts(ev.batchId);
    const out = new S3ObjectWriter(s3, cfg.resultsBucket, alertsKey, { contentType: "application/x-ndjson" });
    for (const a of alerts) await out.write(`${JSON.stringify(a)}\n`);
    await out.close();
  }
  const problems = firstProblems([
    ...result.fileErrors.map((p) => ({ file: p.source, reason: p.reason })),
    ...result.invalidRecords.map((p) => ({ file: p.source, reason: `${p.where ? `${p.where}: ` : ""}${p.reason}` })),
  ]);
  const s = result.stats;
  const out: BatchResult = {
    batchId: ev.batchId,
    files: ev.items.length,
    filesRead: s.filesRead,
    filesSkipped: s.filesSkipped,
    filesWithErrors: s.filesWithErrors,
    records: s.records,
    invalidRecords: s.invalidRecords,
    bytes: s.bytes,
    storedBytes: s.storedBytes,
    alerts: alerts.length,
    alertsByRule,
    ...(alertsKey ? { alertsKey } : {}),
    problems: problems.problems,
    // Invalid records beyond the 100 the scan lists are counted in its stats, not in its list.
    moreProblems: problems.moreProblems + Math.max(0, s.invalidRecords - result.invalidRecords.length),
    ruleErrors: result.ruleErrors.map((e) => ({ ...e, first: e.first.slice(0, 500) })),
    ...(result.suppressed.length ? { suppressedByRule: Object.fromEntries(result.suppressed.map((x) => [x.rule, x.count])) } : {}),
  };
  logger.info("batch scanned", { hunt: hunt.id, batch: ev.batchId, files: out.files, records: out.records, alerts: out.alerts, problems: out.problems.length + out.moreProblems });
  return out;
}
