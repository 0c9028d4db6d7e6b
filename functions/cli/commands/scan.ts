import type { Alert, Severity } from "../../core/alert/alert";
import { isSeverity, severityRank } from "../../core/alert/alert";
import type { LogFileRef, LogSource } from "../../core/ports";
import { RuleEngine } from "../../core/rules/engine";
import { tunedRules, type TunedRules } from "../../core/rules/tuning/apply";
import { ThresholdTracker } from "../../core/rules/threshold-tracker";
import { scanLogs, type ScanResult } from "../../core/scan";
import { MemoryThresholdStore } from "../../adapters/local/memory-threshold-store";
import { objectProgress } from "../object-progress";
import { progressBar } from "../progress";
import { openOutput, OutputError, writeAlerts, type OutputFormat } from "../output";
import { buildScanSources, SourceUsageError, type ScanSources, type SourceFlags } from "../scan-sources";
import { AlertFiles, markAlertIntegrity } from "../scan-verify";
import { loadRuleSet, RuleSetError } from "../rule-set";
import { printScanSummary, writeSummaryFile } from "../summary";
import { cell } from "../terminal";
import { defaultJobs, scanWithWorkers } from "../scan-pool/pool";
import { decodeSelectedBytes } from "../../adapters/selective-content";
import { readOptionsFor } from "../../core/rules/engine-filter";

export interface ScanCommandOptions extends SourceFlags {
  format: OutputFormat;
  output?: string;
  minSeverity?: string;
  rules?: string;
  settings?: string;
  /** A folder of your own rules (TypeScript and Sigma). */
  rulesDir?: string;
  /** Write the scan summary (counts, problems, suppressed matches) as JSON to this file. */
  summary?: string;
  failOn?: string;
  progress?: boolean;
  quiet?: boolean;
  /** Check the integrity of the files read (digests, signatures, hashes) and mark each alert with it. */
  verify?: boolean;
  /** With `verify`: files saved from `aws cloudtrail list-public-keys` (comma-separated). */
  publicKeys?: string;
  /** Local files: worker threads (default: one per core; 1 scans on the main thread). */
  jobs?: string;
}

/**
 * Exit codes: 0 all input read; 2 some input could not be read; 3 alerts at or above --fail-on;
 * 4 (with --verify) a file read, or a digest, is not valid. The first that applies of 3, 4, 2.
 */
export const EXIT_UNREADABLE = 2;
export const EXIT_ALERTS = 3;
export const EXIT_INTEGRITY = 4;

export class UsageError extends Error {
  override name = "UsageError";
}

function parseSeverity(flag: string, v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  if (!isSeverity(v)) throw new UsageError(`${flag} must be one of info, low, medium, high, critical (got "${v}")`);
  return v;
}

/** `--jobs N`: a whole number from 1 to 64 (default: one per core). */
function parseJobs(v: string | undefined): number {
  if (v === undefined) return defaultJobs();
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--jobs must be a whole number from 1 to 64 (got "${cell(v)}")`);
  return n;
}

/** `--rules a,b`: the ids; a list that names none (`--rules ,`) is a mistake, not "every rule". */
function parseRules(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const ids = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new UsageError(`--rules names no rule id (got "${cell(v)}"); give comma-separated ids such as cloudtrail.logging-stopped,iam.root-activity, or leave it out to run every rule`);
  return ids;
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

/**
 * Yields the files, giving the event loop a turn every 50 ms: small files are read synchronously
 * and the whole scan would otherwise run as one uninterrupted task, in which Ctrl-C (the handler
 * that restores the cursor) and the progress bar's timer never get to run.
 */
async function* breathing(refs: readonly LogFileRef[]): AsyncIterable<LogFileRef> {
  let last = Date.now();
  for (const ref of refs) {
    if (Date.now() - last >= 50) {
      await new Promise((r) => setImmediate(r));
      last = Date.now();
    }
    yield ref;
  }
}

/**
 * `trailwatch scan PATH|s3://URI...` or `trailwatch scan --lookup-events --region R`: runs the rule
 * catalog over CloudTrail logs wherever they are; the output and exit status do not depend on where.
 */
export async function runScan(paths: string[], opts: ScanCommandOptions): Promise<{ code: number; result: ScanResult; alerts: Alert[] }> {
  const minSeverity = parseSeverity("--min-severity", opts.minSeverity);
  const failOn = parseSeverity("--fail-on", opts.failOn);
  const only = parseRules(opts.rules);
  const jobs = parseJobs(opts.jobs);
  // The files the rule set comes from: the workers of `--jobs` load the same.
  const ruleFiles = { ...(opts.settings !== undefined ? { settings: opts.settings } : {}), ...(opts.rulesDir !== undefined ? { rulesDir: opts.rulesDir } : {}) };
  let engine: RuleEngine;
  let tuned: TunedRules;
  try {
    const set = loadRuleSet(ruleFiles);
    tuned = tunedRules(set.rules, set.tuning, only ? { only } : {});
    engine = new RuleEngine(tuned.rules, { only, minSeverity, settings: tuned.settings });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // Messages of RuleSetError escape what came from files themselves; the engine's are escaped here.
    throw new UsageError(e instanceof RuleSetError ? e.message : cell((e as Error).message));
  }
  if (opts.verify && opts.lookupEvents) throw new UsageError("--verify checks log files against their digests; event history (--lookup-events) has neither");
  const hashes = opts.verify ? new Map<string, string>() : undefined;
  const alertFiles = new AlertFiles();
  let sources: ScanSources;
  try {
    sources = await buildScanSources(paths, opts, new Date(), hashes ? { hashes } : {});
  } catch (e) {
    if (e instanceof SourceUsageError) throw new UsageError(e.message);
    throw e;
  }
  // Opened before the scan: an unwritable --output is said at once, not after reading everything.
  const out = await openOutput(opts.output).catch((e: unknown) => {
    sources.close();
    throw e;
  });
  const showProgress = opts.progress ?? process.stderr.isTTY === true;
  // Threshold rules count across every file of the run (state in memory, for this run only).
  const thresholds = new ThresholdTracker(new MemoryThresholdStore(), minSeverity ? { minSeverity } : {});
  const onFinding = opts.verify
    ? { onFinding: (_f: unknown, alert: Alert, file: LogFileRef) => alertFiles.add(alert.id, file.id), onThresholdAlert: (alert: Alert, file: LogFileRef) => alertFiles.add(alert.id, file.id) }
    : {};
  let result: ScanResult | undefined;
  let integrityFailed = false;
  try {
    try {
      if (!sources.streaming) {
        // Local files only: list them up front, so progress is shown against the total size.
        const { refs, total } = await listAll(sources.source);
        const source = sources.source;
        const listed: LogSource = { files: () => breathing(refs), read: (f) => source.read(f) };
        const bar = progressBar(total, "scan", showProgress);
        try {
          if (jobs > 1 && refs.some((r) => r.error === undefined && !r.skip)) {
            // Worker threads read and evaluate the files; the result is merged in listing order, as below.
            result = await scanWithWorkers(refs, {
              jobs, engine, engineOptions: { ...(only ? { only } : {}), ...(minSeverity ? { minSeverity } : {}), },
              ...(Object.keys(ruleFiles).length > 0 ? { ruleSet: ruleFiles } : {}), ...(tuned.suppressions ? { suppressions: tuned.suppressions } : {}),
              thresholds, ...(sources.window ? { window: sources.window } : {}),
              onProgress: (p) => bar.update(p.storedBytes, { records: p.records, alerts: p.findings }),
              ...(opts.verify ? { onAlert: (alert: Alert, file: LogFileRef) => alertFiles.add(alert.id, file.id) } : {}),
            });
          } else {
            result = await scanLogs(listed, engine, {
              onProgress: (s) => bar.update(s.storedBytes, { records: s.records, alerts: s.findings }),
              thresholds,
              read: readOptionsFor(engine, "auto", decodeSelectedBytes),
              ...(tuned.suppressions ? { suppressions: tuned.suppressions } : {}),
              ...onFinding,
            });
          }
        } finally {
          bar.stop();
        }
      } else {
        // S3 or LookupEvents: listing runs ahead of reading; progress counts objects against those listed so far.
        const bar = objectProgress("scan", showProgress);
        sources.onListed((objects, bytes) => bar.listed(objects, bytes));
        try {
          result = await scanLogs(sources.source, engine, {
            onProgress: (s) => bar.done(s.filesSeen, s.storedBytes, s.records, s.findings),
            thresholds,
            read: readOptionsFor(engine, "auto", decodeSelectedBytes),
            ...(tuned.suppressions ? { suppressions: tuned.suppressions } : {}),
            ...onFinding,
          });
        } finally {
          bar.stop();
        }
      }
    } finally {
      sources.close();
    }
    if (!opts.quiet) for (const n of sources.notes) process.stderr.write(`trailwatch: ${cell(n)}\n`);

    if (opts.verify) {
      // The same inputs and window, checked against their digests; hashes of S3 bodies come from the scan.
      const { integrityInputs, verifyInputs, integrityExitCode } = await import("./verify");
      const { integritySummaryTable, printable } = await import("../format/integrity-table");
      const { inputs, close } = await integrityInputs(paths, { accounts: opts.accounts, regions: opts.regions, profile: opts.profile, publicKeys: opts.publicKeys }, sources.window);
      let report;
      try {
        report = await verifyInputs(inputs, { ...(sources.window ? { window: sources.window } : {}), ...(hashes ? { knownHashes: hashes } : {}), progress: showProgress });
      } finally {
        close();
      }
      const notValid = markAlertIntegrity(result.alerts, alertFiles, report);
      integrityFailed = integrityExitCode(report) === EXIT_INTEGRITY;
      if (!opts.quiet) {
        process.stderr.write(`trailwatch: integrity of the files read (trailwatch verify lists each one):\n${integritySummaryTable(report)}\n`);
        if (report.digests.length === 0) process.stderr.write("trailwatch: no digest files found for the files read: give the folder (or prefix) that holds both CloudTrail/ and CloudTrail-Digest/, and check that log file validation is on\n");
        if (notValid > 0) process.stderr.write(`trailwatch: ${notValid} alert(s) come from log files that are not proven CloudTrail's (context.logIntegrity says which)\n`);
        for (const p of report.problems) process.stderr.write(`trailwatch: not verified: ${printable(p.id)}: ${printable(p.reason)}\n`);
      }
    }

    await writeAlerts(result.alerts, opts.format, out);
    await out.close();
  } catch (e) {
    await out.close().catch(() => undefined);
    // The summary still says what was read; then the output error says what could not be written.
    if (e instanceof OutputError && result && !opts.quiet) printScanSummary(result);
    throw e;
  }
  if (!opts.quiet) printScanSummary(result, { alertsTo: opts.output ?? (opts.format === "table" ? undefined : "stdout") });
  if (opts.summary !== undefined) await writeSummaryFile(opts.summary, result);

  const unreadable = result.fileErrors.length > 0 || result.stats.invalidRecords > 0;
  if (failOn && result.alerts.some((a) => severityRank(a.severity) >= severityRank(failOn))) return { code: EXIT_ALERTS, result, alerts: result.alerts };
  if (integrityFailed) return { code: EXIT_INTEGRITY, result, alerts: result.alerts };
  return { code: unreadable ? EXIT_UNREADABLE : 0, result, alerts: result.alerts };
}
