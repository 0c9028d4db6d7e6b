import type { ScanResult } from "../core/scan";

const MAX_LISTED = 20;

/** Prints what was read and what could not be, to stderr (stdout carries only alerts). */
export function printScanSummary(result: ScanResult, opts: { alertsTo?: string } = {}): void {
  const s = result.stats;
  const out: string[] = [];
  const mb = (s.bytes / 1e6).toFixed(1);
  out.push(
    `trailwatch: ${s.filesRead} file(s) read, ${s.filesSkipped} skipped, ${s.records} record(s) (${mb} MB of JSON), ` +
      `${s.findings} finding(s) -> ${result.alerts.length} alert(s)${opts.alertsTo && opts.alertsTo !== "stdout" ? ` written to ${opts.alertsTo}` : ""}`,
  );
  if (result.fileErrors.length > 0) {
    out.push(`Could not read ${result.fileErrors.length} file(s) completely (their good records were still scanned):`);
    for (const p of result.fileErrors.slice(0, MAX_LISTED)) out.push(`  ${p.source}: ${p.reason}`);
    if (result.fileErrors.length > MAX_LISTED) out.push(`  ... and ${result.fileErrors.length - MAX_LISTED} more`);
  }
  if (s.invalidRecords > 0) {
    out.push(`Skipped ${s.invalidRecords} invalid record(s):`);
    for (const p of result.invalidRecords.slice(0, MAX_LISTED)) out.push(`  ${p.source} ${p.where ?? ""}: ${p.reason}`);
    if (s.invalidRecords > MAX_LISTED) out.push(`  ... and ${s.invalidRecords - MAX_LISTED} more`);
  }
  const skippedReasons = new Map<string, number>();
  for (const p of result.skipped) skippedReasons.set(p.reason, (skippedReasons.get(p.reason) ?? 0) + 1);
  for (const [reason, n] of skippedReasons) out.push(`Skipped ${n} file(s): ${reason}`);
  for (const e of result.ruleErrors) out.push(`Rule ${e.rule} failed on ${e.count} record(s): ${e.first}`);
  process.stderr.write(out.join("\n") + "\n");
}
