import { formatBytes, type RecordLimits } from "./limits";

/** Where a value sits in a file's text. */
export interface ValuePosition {
  /** 0-based index of the top-level value (document) it belongs to; -1 when a damaged region hid it. */
  doc: number;
  /** 1-based line where that document starts. */
  docLine: number;
  /** 1-based line where the value starts. */
  line: number;
  /** Index in the enclosing `Records` array or top-level array; absent for a top-level value. */
  index?: number;
  /** `Records`: an element of a `Records` array; `array`: an element of a top-level array. */
  in?: "Records" | "array";
  /** Index of the top-level array element whose `Records` array holds the value. */
  outer?: number;
}

/** What {@link scanJsonText} reports, in file order. */
export interface RecoverySink {
  /** A complete value at record level, the text `[start, end)`. */
  value(start: number, end: number, at: ValuePosition): void;
  /** A value at record level that could not be read: damaged, cut off, too big or too deep. */
  lost(at: ValuePosition, reason: string): void;
  /** A problem that is not one record: junk between documents, a document cut off between records. */
  fault(reason: string): void;
}

/** What the scan saw of the file's shape (for naming positions). */
export interface ScanShape {
  /** Top-level values found. */
  documents: number;
  /** Some top-level values start on the same line (`zcat *.gz > all.json`), so lines cannot name them. */
  documentsShareLines: boolean;
}

// Character codes.
const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COLON = 58, COMMA = 44;
const SPACE = 32, TAB = 9, LF = 10, CR = 13;

// Frame kinds, states and roles.
const OBJ = 0, ARR = 1;
const O_KEY_OR_END = 0, O_KEY = 1, O_COLON = 2, O_VALUE = 3, O_COMMA_OR_END = 4;
const A_VALUE_OR_END = 5, A_VALUE = 6, A_COMMA_OR_END = 7;
/** Plain nested value; the `Records` array of a document; a top-level array; an object that may hold `Records`. */
const PLAIN = 0, RECORDS = 1, TOP_ARRAY = 2, CONTAINER = 3;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Start of a CloudTrail document: `{"Records":[` (whitespace allowed). */
const DOCUMENT_START = /^\{\s*"Records"\s*:\s*\[/;
/**
 * Every record CloudTrail writes has an `eventVersion` key. Inside a damaged region, where the
 * structure cannot be trusted, the number of these keys is the estimate of the records lost.
 */
const RECORD_MARKER = '"eventVersion"';

/** JSON whitespace, and the byte order mark a file (or each of several concatenated files) may start with. */
function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB || c === 0xfeff;
}

/** True when `text[from, to)` (whitespace between two values) holds a line break. */
function hasNewline(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === LF) return true;
  return false;
}

/** End of the literal (number, true, false, null) at `i`, or -1 when there is none. */
function literalEnd(text: string, i: number): number {
  let e = i;
  while (e < text.length && isLiteralChar(text.charCodeAt(e))) e++;
  if (e === i) return -1;
  const lit = text.slice(i, e);
  return lit === "true" || lit === "false" || lit === "null" || NUMBER.test(lit) ? e : -1;
}

function isLiteralStart(text: string, i: number): boolean {
  return literalEnd(text, i) > 0;
}

function isLiteralChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 43 || c === 46;
}

/** A printable description of the character at `i` (hostile text never reaches a message raw). */
function describeChar(text: string, i: number): string {
  if (i >= text.length) return "the end of the file";
  const c = text.charCodeAt(i);
  return c >= 0x21 && c <= 0x7e ? `'${text[i]}'` : `character U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Walks the text of a log file once, string- and escape-aware, checking the JSON grammar, and reports
 * every value at record level: elements of a `Records` array, elements of a top-level array, and
 * top-level values (a JSON Lines line, one of several concatenated documents, a single record). The
 * caller parses each value's text on its own, so one bad record never takes its neighbours with it.
 *
 * Where the grammar breaks (a string that lost its closing quote, junk between documents, a cut-off
 * end), the record in progress is reported lost and the scan looks for the next place a record or a
 * document starts: an object that parses on its own, looks like a CloudTrail record and stands where
 * a record can stand (after `[`, `,` or at the start of a line, followed by `,`, `]` or the next line),
 * or a `{"Records":[` document start. Records in the skipped region are counted by their
 * `eventVersion` keys. Records bigger than `maxRecordBytes` or deeper than `maxRecordDepth` are
 * reported and never parsed. Time is linear in the text (the search after a fault has a budget).
 */
export function scanJsonText(text: string, from: number, limits: RecordLimits, sink: RecoverySink): ScanShape {
  const n = text.length;
  const { maxRecordBytes, maxRecordDepth } = limits;

  // The stack of open containers, as parallel arrays (no object per frame).
  const kind: number[] = [];
  const state: number[] = [];
  const role: number[] = [];
  const count: number[] = [];
  const candStart: number[] = [];
  const candAt: (ValuePosition | undefined)[] = [];
  const tooDeep: boolean[] = [];
  const lastKeyRecords: boolean[] = [];
  const hasRecords: boolean[] = [];
  const outer: (number | undefined)[] = [];
  let sp = 0;

  let doc = -1;
  let docLine = 1;
  const docLines = new Set<number>();
  let shareLines = false;
  /** Each resync lands past the previous one, so the scan always moves forward. */
  let minResync = 0;
  /** Characters the search after faults may still examine. */
  let budget = 4 * n + 2 ** 20;

  const lines = new LineCounter(text);
  const lineAt = (p: number): number => lines.lineAt(p);
  const where = (p: number): string => lines.describe(p);

  // The first newline at or after the scan position, for spotting a string that runs past its line.
  let strNl = -1;
  let strNlFrom = -1;
  const newlineFrom = (p: number): number => {
    if (strNl < p || p < strNlFrom) {
      strNl = text.indexOf("\n", p);
      if (strNl < 0) strNl = Infinity;
      strNlFrom = p;
    }
    return strNl;
  };

  /** End (exclusive) of the string starting at `i`, -1 at the end of the text. */
  const stringEnd = (i: number): number => {
    let j = i + 1;
    for (;;) {
      const q = text.indexOf('"', j);
      if (q < 0) return -1;
      let b = q - 1;
      while (b > i && text.charCodeAt(b) === BACKSLASH) b--;
      if (((q - 1 - b) & 1) === 0) return q + 1;
      j = q + 1;
    }
  };

  const skipSpace = (i: number): number => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    return i;
  };

  /** Stack index of the innermost value being read as a record (not a document holding `Records`), or -1. */
  const innermostCandidate = (): number => {
    for (let f = sp - 1; f >= 0; f--) if (candStart[f]! >= 0 && !hasRecords[f]) return f;
    return -1;
  };

  const positionFor = (start: number): ValuePosition | undefined => {
    if (sp === 0) return { doc, docLine, line: docLine };
    const f = sp - 1;
    if (role[f] === RECORDS) {
      const at: ValuePosition = { doc, docLine, line: lineAt(start), index: count[f]!, in: "Records" };
      if (outer[f] !== undefined) at.outer = outer[f];
      return at;
    }
    if (role[f] === TOP_ARRAY) return { doc, docLine, line: lineAt(start), index: count[f]!, in: "array" };
    return undefined;
  };

  const push = (k: number, st: number, r: number, start: number, at: ValuePosition | undefined): void => {
    kind[sp] = k;
    state[sp] = st;
    role[sp] = r;
    count[sp] = 0;
    candStart[sp] = at ? start : -1;
    candAt[sp] = at;
    tooDeep[sp] = false;
    lastKeyRecords[sp] = false;
    hasRecords[sp] = false;
    outer[sp] = undefined;
    sp++;
  };

  /** Moves the current frame past a completed value. */
  const afterValue = (): void => {
    if (sp === 0) return;
    const f = sp - 1;
    state[f] = kind[f] === OBJ ? O_COMMA_OR_END : A_COMMA_OR_END;
  };

  /** Reports a completed record-level value. */
  const finish = (start: number, end: number, at: ValuePosition, deep: boolean): void => {
    if (deep) sink.lost(at, `nested deeper than ${maxRecordDepth} levels (the limit for one record); not read`);
    else if (end - start > maxRecordBytes) sink.lost(at, `record is ${formatBytes(end - start)}, more than the ${formatBytes(maxRecordBytes)} limit for one record; not read`);
    else sink.value(start, end, at);
  };

  /** Depth of nesting below the innermost record being read, if a new container opened now. */
  const depthIfPushed = (): number => {
    const f = innermostCandidate();
    return f < 0 ? 0 : sp - f + 1;
  };

  /**
   * Skips a value nested too deep to keep a frame per level: counts brackets (string-aware) until it
   * closes. Returns the index after it, or -1 at the end of the text.
   */
  const skipDeep = (i: number): number => {
    let depth = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const e = stringEnd(i);
        if (e < 0) return -1;
        i = e;
        continue;
      }
      if (c === LBRACE || c === LBRACKET) depth++;
      else if ((c === RBRACE || c === RBRACKET) && --depth === 0) return i + 1;
      i++;
    }
    return -1;
  };

  /** String-aware bracket matching from `{` at `c`; the end of the value or -1 (not closed within `limit`). */
  const matchEnd = (c: number, limit: number): number => {
    let depth = 0;
    let i = c;
    const stop = Math.min(n, c + limit);
    while (i < stop) {
      const ch = text.charCodeAt(i);
      if (ch === QUOTE) {
        const e = stringEnd(i);
        if (e < 0 || e > stop) return -1;
        i = e;
        continue;
      }
      if (ch === LBRACE || ch === LBRACKET) {
        if (++depth > maxRecordDepth) return -1;
      } else if ((ch === RBRACE || ch === RBRACKET) && --depth === 0) return i + 1;
      i++;
    }
    return -1;
  };

  const markersIn = (from: number, to: number): number[] => {
    const out: number[] = [];
    for (let k = text.indexOf(RECORD_MARKER, from); k >= 0 && k < to; k = text.indexOf(RECORD_MARKER, k + 1)) {
      const after = skipSpace(k + RECORD_MARKER.length);
      if (text.charCodeAt(after) === COLON) out.push(k);
    }
    return out;
  };

  /** Where a record could stand: after `[` or `,`, after a closed value, or first on a line. */
  const canStartRecord = (c: number): boolean => {
    let p = c - 1;
    while (p >= 0 && (text.charCodeAt(p) === SPACE || text.charCodeAt(p) === TAB || text.charCodeAt(p) === CR)) p--;
    if (p < 0) return true;
    const ch = text.charCodeAt(p);
    return ch === LF || ch === LBRACKET || ch === COMMA || ch === RBRACE || ch === RBRACKET;
  };

  type Resync = { at: number; mode: "document" | "array" | "top" };

  /** The next place after a fault where a document or a record starts, within the search budget. */
  const findResync = (from: number): Resync | undefined => {
    for (let c = text.indexOf("{", from); c >= 0; c = text.indexOf("{", c + 1)) {
      if (budget <= 0) return undefined;
      budget -= 16;
      if (DOCUMENT_START.test(text.slice(c, c + 64))) return { at: c, mode: "document" };
      if (!canStartRecord(c)) continue;
      const end = matchEnd(c, maxRecordBytes);
      budget -= end < 0 ? Math.min(maxRecordBytes, n - c) : end - c;
      if (end < 0) continue;
      const next = skipSpace(end);
      const nc = next < n ? text.charCodeAt(next) : -1;
      const inArray = nc === COMMA || nc === RBRACKET;
      // Same line as the next value: only a separator or a line break can follow a record.
      if (!inArray && nc !== -1 && nc !== LBRACE && !hasNewline(text, end, next)) continue;
      let v: unknown;
      try {
        v = JSON.parse(text.slice(c, end));
      } catch {
        continue;
      }
      if (looksLikeRecordValue(v)) return { at: c, mode: inArray ? "array" : "top" };
    }
    return undefined;
  };

  /**
   * The grammar broke at `i` (`what` says how). Reports the record in progress and any others in the
   * damaged region as lost, then moves the scan to the next document or record start. Returns where
   * to continue, or -1 when nothing readable follows.
   */
  const recover = (i: number, what: string): number => {
    const cf = innermostCandidate();
    const regionStart = cf >= 0 ? candStart[cf]! : i;
    // The array the lost records belonged to (the frame below the record), if any.
    let ctx = -1;
    for (let f = (cf >= 0 ? cf : sp) - 1; f >= 0; f--) {
      if (role[f] === RECORDS || role[f] === TOP_ARRAY) {
        ctx = f;
        break;
      }
    }
    const next = findResync(Math.max(cf >= 0 ? regionStart + 1 : i, minResync));
    if (next) minResync = next.at + 1;
    const end = next ? next.at : n;
    const markers = markersIn(regionStart, end);
    const first = cf >= 0 ? candAt[cf] : undefined;
    const lostCount = Math.max(markers.length, first ? 1 : 0);
    let index = first?.index ?? (ctx >= 0 ? count[ctx]! : undefined);
    const reason = `invalid JSON (${what} at ${where(i)})`;
    for (let k = 0; k < lostCount; k++) {
      const at: ValuePosition =
        k === 0 && first
          ? first
          : { doc: ctx >= 0 ? doc : -1, docLine, line: lineAt(markers[k] ?? regionStart), ...(index !== undefined ? { index, in: role[ctx] === RECORDS ? ("Records" as const) : ("array" as const) } : {}) };
      if (ctx >= 0 && role[ctx] === RECORDS && outer[ctx] !== undefined) at.outer = outer[ctx];
      sink.lost(at, k === 0 ? `${reason}; not read` : `${reason}; in the damaged region, not read`);
      if (index !== undefined) index++;
    }
    if (!next) {
      const searched = budget <= 0 ? " (the search for the next record stopped at its budget)" : "";
      sink.fault(lostCount > 0
        ? `${reason}: nothing readable after it${searched}; ${lostCount} record(s) lost to the end of the file`
        : `${reason}: the ${n - i} character(s) from there to the end hold nothing readable${searched}`);
      return -1;
    }
    sink.fault(`${reason}: skipped to ${where(next.at)}${lostCount ? `, ${lostCount} record(s) lost` : ""}`);
    if (next.mode === "document" || (next.mode === "top" && ctx < 0) || ctx < 0) {
      sp = 0;
      if (next.mode === "array") {
        // Records after a damaged document start: read them as that document's Records array.
        push(OBJ, O_COMMA_OR_END, CONTAINER, next.at, undefined);
        hasRecords[0] = true;
        push(ARR, A_VALUE, RECORDS, next.at, undefined);
        count[1] = markers.length;
      }
      return next.at;
    }
    sp = ctx + 1;
    state[ctx] = A_VALUE;
    count[ctx] = index ?? count[ctx]!;
    return next.at;
  };

  const noteDocLine = (line: number): void => {
    if (docLines.has(line)) shareLines = true;
    docLines.add(line);
  };

  /** A record-level value that began but whose end the text does not reach. */
  let pending: ValuePosition | undefined;
  let i = skipSpace(from);
  scan: while (i < n) {
    const c = text.charCodeAt(i);
    const f = sp - 1;
    const st = sp === 0 ? -1 : state[f]!;

    // Structural characters that close or separate.
    if (sp > 0) {
      if (c === COMMA) {
        if (st === O_COMMA_OR_END) state[f] = O_KEY;
        else if (st === A_COMMA_OR_END) state[f] = A_VALUE;
        else {
          i = recover(i, "unexpected ','");
          if (i < 0) break;
          continue;
        }
        i = skipSpace(i + 1);
        continue;
      }
      if (c === RBRACE || c === RBRACKET) {
        const ok = c === RBRACE ? st === O_KEY_OR_END || st === O_COMMA_OR_END : st === A_VALUE_OR_END || st === A_COMMA_OR_END;
        if (!ok) {
          i = recover(i, `unexpected ${describeChar(text, i)}`);
          if (i < 0) break;
          continue;
        }
        const start = candStart[f]!;
        const at = candAt[f];
        const deep = tooDeep[f]!;
        const records = hasRecords[f]!;
        sp--;
        if (at && !records) finish(start, i + 1, at, deep);
        afterValue();
        i = skipSpace(i + 1);
        continue;
      }
      if (c === COLON) {
        if (st !== O_COLON) {
          i = recover(i, "unexpected ':'");
          if (i < 0) break;
          continue;
        }
        state[f] = O_VALUE;
        i = skipSpace(i + 1);
        continue;
      }
      if (st === O_KEY_OR_END || st === O_KEY) {
        if (c !== QUOTE) {
          i = recover(i, `expected a key but found ${describeChar(text, i)}`);
          if (i < 0) break;
          continue;
        }
        const e = stringEnd(i);
        if (e < 0) break scan;
        if (newlineFrom(i) < e) {
          i = recover(newlineFrom(i), "a key runs past the end of its line");
          if (i < 0) break;
          continue;
        }
        if (role[f] === CONTAINER) lastKeyRecords[f] = e - i === 9 && text.startsWith('"Records"', i);
        state[f] = O_COLON;
        i = skipSpace(e);
        continue;
      }
      if (st === O_COMMA_OR_END || st === A_COMMA_OR_END || st === O_COLON) {
        i = recover(i, `expected ${st === O_COLON ? "':'" : st === O_COMMA_OR_END ? "',' or '}'" : "',' or ']'"} but found ${describeChar(text, i)}`);
        if (i < 0) break;
        continue;
      }
    }

    // A value starts here (a new document at the top level, once it is known to be a JSON value).
    if (!(c === LBRACE || c === LBRACKET || c === QUOTE || isLiteralStart(text, i))) {
      i = recover(i, `unexpected ${describeChar(text, i)}`);
      if (i < 0) break;
      continue;
    }
    if (sp === 0) {
      doc++;
      docLine = lineAt(i);
      noteDocLine(docLine);
    }
    const at = positionFor(i);
    if (sp > 0 && kind[f] === ARR) count[f]!++;
    if (c === LBRACE || c === LBRACKET) {
      if (depthIfPushed() > maxRecordDepth) {
        const e = skipDeep(i);
        const cf = innermostCandidate();
        if (e < 0) {
          pending = at;
          break scan;
        }
        if (cf >= 0) tooDeep[cf] = true;
        else if (at) finish(i, e, at, true);
        afterValue();
        i = skipSpace(e);
        continue;
      }
      const containerKey = sp > 0 && role[f] === CONTAINER && lastKeyRecords[f] && c === LBRACKET;
      if (containerKey) {
        hasRecords[f] = true;
        const parentOuter = candAt[f]?.in === "array" ? candAt[f].index : undefined;
        push(ARR, A_VALUE_OR_END, RECORDS, i, undefined);
        outer[sp - 1] = parentOuter;
      } else if (c === LBRACE) {
        const mayHoldRecords = sp === 0 || role[f] === TOP_ARRAY;
        push(OBJ, O_KEY_OR_END, mayHoldRecords ? CONTAINER : PLAIN, i, at);
      } else {
        push(ARR, A_VALUE_OR_END, sp === 0 ? TOP_ARRAY : PLAIN, i, sp === 0 ? undefined : at);
      }
      i = skipSpace(i + 1);
      continue;
    }
    let e: number;
    if (c === QUOTE) {
      e = stringEnd(i);
      if (e < 0) {
        pending = at;
        break scan;
      }
      if (newlineFrom(i) < e) {
        i = recover(newlineFrom(i), "a string runs past the end of its line");
        if (i < 0) break;
        continue;
      }
    } else {
      e = literalEnd(text, i);
    }
    if (at) finish(i, e, at, false);
    afterValue();
    i = skipSpace(e);
    continue scan;
  }

  if (i >= 0 && (sp > 0 || pending)) {
    // The text ended inside a value: the record in progress is cut off; a document's end is missing.
    const cf = innermostCandidate();
    const cut = cf >= 0 ? candAt[cf] : pending;
    if (cut) sink.lost(cut, "cut off at the end of the file; not read");
    sink.fault(`invalid JSON: the file ends inside ${cut ? "a record" : sp > 0 && role[sp - 1] === RECORDS ? "the Records array, between records" : "a JSON value"} (truncated)`);
  }
  return { documents: doc + 1, documentsShareLines: shareLines };
}

/**
 * Line numbers of positions in a text, counted lazily: asking for positions in increasing order (as
 * a scan does) costs one pass over the text in total.
 */
export class LineCounter {
  private line = 1;
  /** Index of the first character of the current line. */
  private lineStart = 0;
  private nextNl: number;

  constructor(private readonly text: string) {
    this.nextNl = this.find(0);
  }

  private find(from: number): number {
    const k = this.text.indexOf("\n", from);
    return k < 0 ? Infinity : k;
  }

  /** 1-based line of the character at `p`. */
  lineAt(p: number): number {
    if (p < this.lineStart) {
      // Back across line breaks (a fault's region starts before where it was found): count them.
      let crossed = 0;
      for (let k = this.text.indexOf("\n", p); k >= 0 && k < this.lineStart; k = this.text.indexOf("\n", k + 1)) crossed++;
      this.line -= crossed;
      this.lineStart = this.text.lastIndexOf("\n", p - 1) + 1;
      this.nextNl = this.find(p);
    }
    while (this.nextNl < p) {
      this.line++;
      this.lineStart = this.nextNl + 1;
      this.nextNl = this.find(this.nextNl + 1);
    }
    return this.line;
  }

  /** "line 3 column 17" for the character at `p` (no search back to the start of a long line). */
  describe(p: number): string {
    const line = this.lineAt(p);
    return `line ${line} column ${p - this.lineStart + 1}`;
  }
}

/** The keys that make an object a CloudTrail record (or an envelope carrying one) for recovery purposes. */
export function looksLikeRecordValue(v: unknown): boolean {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if ("eventName" in o || "eventSource" in o || "eventTime" in o || "userIdentity" in o || "eventVersion" in o) return true;
  const inner = o.detail ?? o.event;
  return !!inner && typeof inner === "object" && !Array.isArray(inner) && ("eventName" in inner || "eventSource" in inner);
}
