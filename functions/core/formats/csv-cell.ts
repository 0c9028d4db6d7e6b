/**
 * Cells of CSV files people open in spreadsheets: RFC 4180 quoting, and OWASP's defence against CSV
 * (formula) injection. A text cell starting with `=`, `+`, `-`, `@`, tab or CR (or the full-width
 * forms some spreadsheets also accept) would be run as a formula: it gets a leading `'`, which
 * spreadsheets show as text. A cell that already starts with `'` gets one more, so taking one off
 * always gives the value back. Numbers are written as they are.
 */

const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20']/u;
/** Control characters other than tab, CR and LF: written as `\uXXXX` text, never raw. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** The most characters a spreadsheet cell holds (Excel, LibreOffice). */
export const MAX_CELL_CHARS = 32_767;

/** Quotes a field when it needs it (RFC 4180 only: for machine readers such as a model endpoint). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One cell: neutralised, bounded, quoted when it holds a comma, quote or line break. */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  let s = v.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (FORMULA_START.test(s)) s = `'${s}`;
  if (s.length > MAX_CELL_CHARS) s = `${s.slice(0, MAX_CELL_CHARS - 14)}...(truncated)`;
  return /[",\r\n]/.test(s) || s.startsWith("'") ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record (line), CRLF-terminated as RFC 4180 writes it. */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(",") + "\r\n";
}
