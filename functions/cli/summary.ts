import type { ScanProblem, ScanResult } from "../core/scan";
import { cell } from "./terminal";

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
  return out;
}
