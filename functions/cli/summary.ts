import { writeFile } from "node:fs/promises";
import Table from "cli-table3";
import type { ScanProblem, ScanResult } from "../core/scan";
import { describeIoError, OutputError, terminalSafeJson } from "./output";
import { cell, tableStyle } from "./terminal";

const MAX_LISTED = 20;
/** Files named per skip reason; the rest are counted. */
const MAX_SKIPPED_NAMED = 10;
/** Skip reasons listed; the files skipped for the others are counted. */
const MAX_SKIP_REASONS = 10;

/** ` at <where>` of a problem, when it has one. */
const at = (p: ScanProblem) => (p.where ? ` ${cell(p.where)}` : "");

/**
 * Prints what was read and what could not be, to stderr (stdout carries only alerts). Every file
 * name, position and reason is escaped (`cell`): they come from file names and file contents.
 */
export function printScanSummary(result: ScanResult, opts: { alertsTo?: string } = {}): void {
  process.stderr.write(scanSummary(result, opts).join("\n") + "\n");
}

/** The summary's lines (see {@link printScanSummary}). */
export function scanSummary(result: ScanResult, opts: { alertsTo?: string } = {}): string[] {
  const s = result.stats;
  const out: string[] = [];
  const mb = (s.bytes / 1e6).toFixed(1);
  out.push(
    `trailwatch: ${s.filesRead} file(s) read, ${s.filesSkipped} skipped, ${s.records} record(s) (${mb} MB of JSON), ` +
      `${s.findings} finding(s) -> ${result.alerts.length} alert(s)${opts.alertsTo && opts.alertsTo !== "stdout" ? ` written to ${cell(opts.alertsTo)}` : ""}`,
  );
  if (result.fileErrors.length > 0) {
    out.push(`Could not read ${result.fileErrors.length} file(s) completely (their good records were still scanned):`);
    for (const p of result.fileErrors.slice(0, MAX_LISTED)) out.push(`  ${cell(p.source)}: ${cell(p.reason)}`);
    if (result.fileErrors.length > MAX_LISTED) out.push(`  ... and ${result.fileErrors.length - MAX_LISTED} more`);
  }
  if (s.invalidRecords > 0) {
    out.push(`Skipped ${s.invalidRecords} invalid record(s):`);
    for (const p of result.invalidRecords.slice(0, MAX_LISTED)) out.push(`  ${cell(p.source)}${at(p)}: ${cell(p.reason)}`);
    if (s.invalidRecords > MAX_LISTED) out.push(`  ... and ${s.invalidRecords - MAX_LISTED} more`);
  }
  const skipped = new Map<string, string[]>();
  for (const p of result.skipped) skipped.set(p.reason, [...(skipped.get(p.reason) ?? []), p.source]);
  const groups = [...skipped];
  for (const [reason, files] of groups.slice(0, MAX_SKIP_REASONS)) {
    out.push(`Skipped ${files.length} file(s): ${cell(reason)}`);
    for (const f of files.slice(0, MAX_SKIPPED_NAMED)) out.push(`  ${cell(f)}`);
    if (files.length > MAX_SKIPPED_NAMED) out.push(`  ... and ${files.length - MAX_SKIPPED_NAMED} more`);
  }
  if (groups.length > MAX_SKIP_REASONS) {
    const rest = groups.slice(MAX_SKIP_REASONS);
    out.push(`Skipped ${rest.reduce((n, [, f]) => n + f.length, 0)} more file(s) for ${rest.length} other reason(s)`);
  }
  for (const e of result.ruleErrors) out.push(`Rule ${cell(e.rule)} failed on ${e.count} record(s): ${cell(e.first)}`);
  out.push(...suppressionLines(result));
  return out;
}

/** Suppressed matches (never dropped silently: counted per suppression, with its reason) and expired suppressions. */
function suppressionLines(result: ScanResult): string[] {
  const out: string[] = [];
  if (result.suppressed.length > 0) {
    const total = result.suppressed.reduce((n, s) => n + s.count, 0);
    out.push(`Suppressed ${total} match(es) by the settings' suppressions (not alerted):`);
    const table = new Table({ head: ["rule", "suppression", "matches", "expires", "reason"], style: tableStyle(false), wordWrap: true, colWidths: [null, null, null, null, 60] as unknown as number[] });
    for (const s of [...result.suppressed].sort((a, b) => b.count - a.count || a.suppression.localeCompare(b.suppression))) {
      table.push([cell(s.rule), cell(s.suppression), s.count, cell(s.expires ?? ""), cell(s.reason)]);
    }
    out.push(table.toString());
  }
  for (const e of result.expiredSuppressions) {
    out.push(
      `Suppression ${cell(e.suppression)} ("${cell(e.reason)}") expired on ${cell(e.expires)}: no longer applied` +
        (e.matches > 0 ? `; ${e.matches} match(es) it would have kept back were alerted` : "") +
        "; renew it or remove it",
    );
  }
  return out;
}

/**
 * What `--summary FILE` writes: the scan summary as JSON (counts, what could not be read, rule
 * errors, suppressed matches per suppression, expired suppressions), for pipelines to check.
 */
export function summaryJson(result: ScanResult): Record<string, unknown> {
  return {
    stats: result.stats,
    alerts: result.alerts.length,
    fileErrors: result.fileErrors,
    invalidRecords: result.invalidRecords,
    skipped: result.skipped,
    ruleErrors: result.ruleErrors,
    suppressed: result.suppressed,
    suppressedMatches: result.suppressed.reduce((n, s) => n + s.count, 0),
    expiredSuppressions: result.expiredSuppressions,
  };
}

/** Writes {@link summaryJson} to a file; a file that cannot be written is an OutputError naming it. */
export async function writeSummaryFile(path: string, result: ScanResult): Promise<void> {
  try {
    await writeFile(path, terminalSafeJson(summaryJson(result), 2) + "\n");
  } catch (e) {
    throw new OutputError(`--summary ${cell(path)}: cannot write (${describeIoError(e)})`);
  }
}
