import { csvCell } from "../formats/csv-cell";
import type { PairCount } from "./pair";

/**
 * CSV for pairs and scores, RFC 4180: a header line, fields quoted when they hold a comma, quote or
 * line break, `\n` line ends. The files are written once per run (never rewritten per row) and read
 * back by the next step, by people, or by any CSV tool, spreadsheets included: a text cell that a
 * spreadsheet would run as a formula (OWASP's CSV injection: it starts with `=`, `+`, `-`, `@`, tab
 * or CR) is written with a leading `'`, which the readers here take off again. Cells are written by
 * the one `csvCell` of functions/core/formats (control characters come out as `\uXXXX` text).
 */

/** Columns of a pairs file, in order. */
export const PAIR_COLUMNS = ["principal", "principal_type", "event_source", "event_name", "count", "first_seen", "last_seen", "first_event_id"] as const;
/** Columns of a scores file: the pair columns, the score, and the scorer's reasons as JSON. */
export const SCORE_COLUMNS = [...PAIR_COLUMNS, "score", "components"] as const;

/** A pair with its score and, when the scorer gives them, the reasons for it. */
export interface ScoredPair extends PairCount {
  score: number;
  components?: Record<string, unknown>;
}

/** Thrown for a CSV file that is not what this code wrote; says which line and why. */
export class CsvFormatError extends Error {
  override name = "CsvFormatError";
}

/** The text of a cell written by {@link csvCell}. */
export function fromCsvText(s: string): string {
  return s.startsWith("'") ? s.slice(1) : s;
}

function pairFields(p: PairCount): (string | number)[] {
  return [p.principal, p.principalType, p.eventSource, p.eventName, p.count, p.firstSeen, p.lastSeen, p.firstEventId];
}

/** The whole pairs file: header and one line per pair. */
export function pairsToCsv(pairs: readonly PairCount[]): string {
  const lines = [PAIR_COLUMNS.join(",")];
  for (const p of pairs) lines.push(pairFields(p).map(csvCell).join(","));
  return lines.join("\n") + "\n";
}

/** The whole scores file: header and one line per scored pair. */
export function scoresToCsv(rows: readonly ScoredPair[]): string {
  const lines = [SCORE_COLUMNS.join(",")];
  for (const r of rows) {
    lines.push([...pairFields(r), r.score, r.components ? JSON.stringify(r.components) : ""].map(csvCell).join(","));
  }
  return lines.join("\n") + "\n";
}

/** Splits CSV text into rows of fields, honouring quotes (fields may span lines). */
export function parseCsv(text: string, source: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          throw new CsvFormatError(`${source} line ${line}: unexpected character after a closing quote`);
        }
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && !fieldStarted && field === "") {
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === ",") {
      fields.push(field);
      field = "";
      fieldStarted = false;
      i++;
      continue;
    }
    if (c === "\r" && text[i + 1] === "\n") {
      i++;
      continue;
    }
    if (c === "\n") {
      endRow();
      line++;
      rowLine = line;
      i++;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (quoted) throw new CsvFormatError(`${source} line ${rowLine}: a quoted field is not closed before the end of the file`);
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

function checkHeader(rows: { line: number; fields: string[] }[], expected: readonly string[], source: string): void {
  const header = rows[0];
  if (!header) throw new CsvFormatError(`${source}: empty file, expected the header line ${expected.join(",")}`);
  if (header.fields.join(",") !== expected.join(",")) {
    throw new CsvFormatError(`${source} line 1: header is "${header.fields.join(",")}", expected "${expected.join(",")}"`);
  }
}

function toPair(fields: string[], line: number, source: string): PairCount {
  const [principal, principalType, eventSource, eventName, count, firstSeen, lastSeen, firstEventId] = fields.slice(0, 8).map(fromCsvText) as [string, string, string, string, string, string, string, string];
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1) throw new CsvFormatError(`${source} line ${line}: count must be a positive integer (got "${count}")`);
  if (!principal || !eventSource || !eventName) throw new CsvFormatError(`${source} line ${line}: principal, event_source and event_name must not be empty`);
  return { principal, principalType, eventSource, eventName, count: n, firstSeen, lastSeen, firstEventId };
}

/** Reads a pairs file written by {@link pairsToCsv}. */
export function parsePairsCsv(text: string, source: string): PairCount[] {
  const rows = parseCsv(text, source);
  checkHeader(rows, PAIR_COLUMNS, source);
  return rows.slice(1).map(({ line, fields }) => {
    if (fields.length !== PAIR_COLUMNS.length) throw new CsvFormatError(`${source} line ${line}: ${fields.length} fields, expected ${PAIR_COLUMNS.length}`);
    return toPair(fields, line, source);
  });
}

/** Reads a scores file written by {@link scoresToCsv}. */
export function parseScoresCsv(text: string, source: string): ScoredPair[] {
  const rows = parseCsv(text, source);
  checkHeader(rows, SCORE_COLUMNS, source);
  return rows.slice(1).map(({ line, fields }) => {
    if (fields.length !== SCORE_COLUMNS.length) throw new CsvFormatError(`${source} line ${line}: ${fields.length} fields, expected ${SCORE_COLUMNS.length}`);
    const pair = toPair(fields, line, source);
    const score = Number(fields[8]);
    if (fields[8] === "" || !Number.isFinite(score)) throw new CsvFormatError(`${source} line ${line}: score must be a number (got "${fields[8]}")`);
    let components: Record<string, unknown> | undefined;
    if (fields[9]) {
      try {
        components = JSON.parse(fromCsvText(fields[9])) as Record<string, unknown>;
      } catch (e) {
        throw new CsvFormatError(`${source} line ${line}: components is not JSON (${(e as Error).message})`);
      }
    }
    return { ...pair, score, ...(components ? { components } : {}) };
  });
}
