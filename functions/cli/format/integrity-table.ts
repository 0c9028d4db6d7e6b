import Table from "cli-table3";
import { integrityCounts, type IntegrityReport } from "../../core/integrity/verify";

/** Control characters (from file names and keys, which anyone who can write to the bucket chooses) shown as `\uXXXX`, never sent to the terminal. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const ORDER = ["modified", "deleted", "missing", "invalid", "not-covered", "unreadable", "valid"];

/** The counts per status: the picture first. */
export function integritySummaryTable(r: IntegrityReport): string {
  const c = integrityCounts(r);
  const t = new Table({ head: ["", "valid", "invalid", "missing", "modified", "deleted", "not covered", "unreadable"], style: { head: [], border: [] } });
  t.push(["digest files", c.digests.valid, c.digests.invalid, c.digests.missing, "", "", "", ""]);
  t.push(["log files", c.logs.valid, "", "", c.logs.modified, c.logs.deleted, c.logs["not-covered"], c.logs.unreadable]);
  return t.toString();
}

/** One row per digest and log file that is not valid (or every one, with `all`), worst first. */
export function integrityDetailTable(r: IntegrityReport, opts: { all?: boolean; width?: number } = {}): string | undefined {
  const rows: [string, string, string, string][] = [];
  for (const d of r.digests) if (opts.all || d.status !== "valid") rows.push([d.status, "digest", d.id, d.reason ?? ""]);
  for (const l of r.logs) if (opts.all || l.status !== "valid") rows.push([l.status, "log", l.id, l.reason ?? ""]);
  if (rows.length === 0) return undefined;
  rows.sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]) || a[2].localeCompare(b[2]));
  const width = Math.max(opts.width ?? 160, 100);
  const fileWidth = Math.floor((width - 30) * 0.55);
  const t = new Table({ head: ["status", "kind", "file", "why"], colWidths: [13, 8, fileWidth, Math.max(width - 30 - fileWidth, 30)], wordWrap: true, wrapOnWordBoundary: false, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map(printable));
  return t.toString();
}
