import { readFile } from "node:fs/promises";
import type { Alert, Severity } from "../../core/alert/alert";
import { isSeverity, severityRank } from "../../core/alert/alert";
import type { LogFileRef, LogSource } from "../../core/ports";
import { catalog } from "../../core/rules/catalog";
import { RuleEngine } from "../../core/rules/engine";
import { ThresholdTracker } from "../../core/rules/threshold-tracker";
import { scanLogs, type ScanResult } from "../../core/scan";
import { LocalLogSource } from "../../adapters/local/log-source";
import { MemoryThresholdStore } from "../../adapters/local/memory-threshold-store";
import { progressBar } from "../progress";
import { writeAlerts, type OutputFormat } from "../output";
import { printScanSummary } from "../summary";

export interface ScanCommandOptions {
  format: OutputFormat;
  output?: string;
  minSeverity?: string;
  rules?: string;
  settings?: string;
  failOn?: string;
  progress?: boolean;
  quiet?: boolean;
}

/** Exit codes: 0 all input read; 2 some input could not be read; 3 alerts at or above --fail-on. */
export const EXIT_UNREADABLE = 2;
export const EXIT_ALERTS = 3;

export class UsageError extends Error {
  override name = "UsageError";
}

function parseSeverity(flag: string, v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  if (!isSeverity(v)) throw new UsageError(`${flag} must be one of info, low, medium, high, critical (got "${v}")`);
  return v;
}

async function loadSettings(path: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (!path) return undefined;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`--settings ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`--settings ${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Lists a source's files up front, so progress can be shown against the total size. */
async function listAll(source: LogSource): Promise<{ refs: LogFileRef[]; total: number }> {
  const refs: LogFileRef[] = [];
  let total = 0;
  for await (const f of source.files()) {
    refs.push(f);
    total += Math.max(f.size ?? 0, 0);
  }
  return { refs, total };
}

/** `trailwatch scan PATH...`: runs the rule catalog over local CloudTrail logs. */
export async function runScan(paths: string[], opts: ScanCommandOptions): Promise<{ code: number; result: ScanResult; alerts: Alert[] }> {
  const minSeverity = parseSeverity("--min-severity", opts.minSeverity);
  const failOn = parseSeverity("--fail-on", opts.failOn);
  const only = opts.rules ? opts.rules.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  let engine: RuleEngine;
  try {
    engine = new RuleEngine(catalog, { only, minSeverity, settings: await loadSettings(opts.settings) });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }

  const local = new LocalLogSource(paths);
  const { refs, total } = await listAll(local);
  const listed: LogSource = { files: async function* () { yield* refs; }, read: (f) => local.read(f) };
  const bar = progressBar(total, "scan", opts.progress ?? process.stderr.isTTY === true);
  const result = await scanLogs(listed, engine, {
    onProgress: (s) => bar.update(s.storedBytes, { records: s.records, alerts: s.findings }),
    // Threshold rules count across every file of the run (state in memory, for this run only).
    thresholds: new ThresholdTracker(new MemoryThresholdStore(), minSeverity ? { minSeverity } : {}),
  });
  bar.stop();

  await writeAlerts(result.alerts, opts.format, opts.output);
  if (!opts.quiet) printScanSummary(result, { alertsTo: opts.output ?? (opts.format === "table" ? undefined : "stdout") });

  const unreadable = result.fileErrors.length > 0 || result.stats.invalidRecords > 0;
  if (failOn && result.alerts.some((a) => severityRank(a.severity) >= severityRank(failOn))) return { code: EXIT_ALERTS, result, alerts: result.alerts };
  return { code: unreadable ? EXIT_UNREADABLE : 0, result, alerts: result.alerts };
}
