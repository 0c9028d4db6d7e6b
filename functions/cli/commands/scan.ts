import { readFile } from "node:fs/promises";
import type { Alert, Severity } from "../../core/alert/alert";
import { isSeverity, severityRank } from "../../core/alert/alert";
import type { LogFileRef, LogSource } from "../../core/ports";
import { catalog } from "../../core/rules/catalog";
import { RuleEngine } from "../../core/rules/engine";
import { scanLogs, type ScanResult } from "../../core/scan";
import { objectProgress } from "../object-progress";
import { progressBar } from "../progress";
import { buildScanSources, SourceUsageError, type ScanSources, type SourceFlags } from "../scan-sources";
import { AlertFiles, markAlertIntegrity } from "../scan-verify";
import { writeAlerts, type OutputFormat } from "../output";
import { printScanSummary } from "../summary";

export interface ScanCommandOptions extends SourceFlags {
  format: OutputFormat;
  output?: string;
  minSeverity?: string;
  rules?: string;
  settings?: string;
  failOn?: string;
  progress?: boolean;
  quiet?: boolean;
  /** Check the integrity of the files read (digests, signatures, hashes) and mark each alert with it. */
  verify?: boolean;
  /** With `verify`: files saved from `aws cloudtrail list-public-keys` (comma-separated). */
  publicKeys?: string;
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

/**
 * `trailwatch scan PATH|s3://URI...` or `trailwatch scan --lookup-events --region R`: runs the rule
 * catalog over CloudTrail logs wherever they are; the output and exit status do not depend on where.
 */
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
  const showProgress = opts.progress ?? process.stderr.isTTY === true;
  let result: ScanResult;
  try {
    if (!sources.streaming) {
      // Local files only: list them up front, so progress is shown against the total size.
      const { refs, total } = await listAll(sources.source);
      const source = sources.source;
      const listed: LogSource = { files: async function* () { yield* refs; }, read: (f) => source.read(f) };
      const bar = progressBar(total, "scan", showProgress);
      result = await scanLogs(listed, engine, {
        onProgress: (s) => bar.update(s.storedBytes, { records: s.records, alerts: s.findings }),
        ...(opts.verify ? { onFinding: (_f, alert, file) => alertFiles.add(alert.id, file.id) } : {}),
      });
      bar.stop();
    } else {
      // S3 or LookupEvents: listing runs ahead of reading; progress counts objects against those listed so far.
      const bar = objectProgress("scan", showProgress);
      sources.onListed((objects, bytes) => bar.listed(objects, bytes));
      result = await scanLogs(sources.source, engine, {
        onProgress: (s) => bar.done(s.filesSeen, s.storedBytes, s.records, s.findings),
        ...(opts.verify ? { onFinding: (_f, alert, file) => alertFiles.add(alert.id, file.id) } : {}),
      });
      bar.stop();
    }
  } finally {
    sources.close();
  }
  if (!opts.quiet) for (const n of sources.notes) process.stderr.write(`trailwatch: ${n}\n`);

  let integrityFailed = false;
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

  await writeAlerts(result.alerts, opts.format, opts.output);
  if (!opts.quiet) printScanSummary(result, { alertsTo: opts.output ?? (opts.format === "table" ? undefined : "stdout") });

  const unreadable = result.fileErrors.length > 0 || result.stats.invalidRecords > 0;
  if (failOn && result.alerts.some((a) => severityRank(a.severity) >= severityRank(failOn))) return { code: EXIT_ALERTS, result, alerts: result.alerts };
  if (integrityFailed) return { code: EXIT_INTEGRITY, result, alerts: result.alerts };
  return { code: unreadable ? EXIT_UNREADABLE : 0, result, alerts: result.alerts };
}
