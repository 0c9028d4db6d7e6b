/**
 * Reads the structure of a CloudTrail delivery document (`{"Records":[...]}`) without building it:
 * one pass over the text checks the whole JSON grammar exactly as `JSON.parse` would accept it, finds
 * where each record starts and ends, and notes where the few top-level fields that decide which rules
 * can see a record are (event source and name, identity type, event type, error code). The decoder
 * then `JSON.parse`s only the records a rule can match (see `selective-decode.ts`).
 *
 * The text may be the file's bytes read as latin1 (one character per byte): JSON's structure is ASCII,
 * so the grammar check and every position hold for the UTF-8 text too, and positions are byte offsets.
 * Anything this scanner does not handle (another shape, whitespace inside the document, control
 * characters, very deep nesting, escaped keys) makes it give up, and the file is decoded in full.
 */

import { FIELD, FIELD_COUNT } from "./record-fields";

export { FIELD, FIELD_COUNT, VIEW_FIELDS, fieldMask, type ViewField } from "./record-fields";

/** Deepest nesting the scanner follows; deeper documents are decoded in full. */
const MAX_SCAN_DEPTH = 256;

/** Where one record is, and where its located fields are. */
export interface RecordSpans {
  start: number;
  end: number;
  /** `[start, end)` of each field's value (the value's JSON text, quotes included), -1 when absent. */
  fields: Int32Array;
  /** Bit `1 << field`: the value is a string with an escape sequence (or a key had one: the record is read in full). */
  escaped: number;
  /** A key of the record or of its `userIdentity` holds an escape sequence: located fields cannot be trusted. */
  escapedKey: boolean;
  /** The record's first key is `eventVersion`, and no key looks like an array index (JSON.parse would list it first). */
  eventVersionFirst: boolean;
  /** A located field holds an object or array (or `userIdentity` is odd): read the record in full. */
  complex: boolean;
}

/** What the scan found; `undefined` from {@link scanRecordsDocument} means "decode in full". */
export interface DocumentScan {
  records: number;
  /** Every record starts with its `eventVersion` key (see {@link RecordSpans.eventVersionFirst}). */
  eventVersionFirst: boolean;
}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Scans `s` from `from` (its first non-space character) as `{"Records":[record, ...]}` and calls
 * `onRecord` for each record, in order. Returns undefined, having possibly called `onRecord` for
 * some records, when the text is not such a document or not valid JSON: the caller then decodes the
 * file in full (and drops what it collected).
 */
export function scanRecordsDocument(s: string, from: number, onRecord: (index: number, r: RecordSpans) => void, opts: { noControl?: boolean } = {}): DocumentScan | undefined {
  const n = s.length;
  if (!s.startsWith('{"Records":[', from)) return undefined;
  // Control characters are never valid in strings; outside them JSON allows only \t \n \r. Compact
  // files have none of these (`noControl`: the caller checked the bytes): leave any file that has them
  // (other than trailing whitespace) to the full decoder.
  if (!opts.noControl) {
    if (CONTROL.test(s)) return undefined;
    let last = n - 1;
    while (last >= 0 && WS(s.charCodeAt(last))) last--;
    for (const ch of ["\n", "\r", "\t"]) {
      const k = s.indexOf(ch, from);
      if (k >= 0 && k < last) return undefined;
    }
  }
  const scanner = new RecordScanner(s);
  let i = from + '{"Records":['.length;
  let records = 0;
  let allFirst = true;
  if (s.charCodeAt(i) === 0x5d) i++;
  else {
    for (;;) {
      const end = scanner.record(i);
      if (end < 0) return undefined;
      if (!scanner.spans.eventVersionFirst) allFirst = false;
      onRecord(records++, scanner.spans);
      i = end;
      const c = s.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c !== 0x5d) return undefined;
      i++;
      break;
    }
  }
  // The Records array is the document's only member.
  if (s.charCodeAt(i) !== 0x7d) return undefined;
  i++;
  while (i < n && WS(s.charCodeAt(i))) i++;
  if (i !== n) return undefined;
  return { records, eventVersionFirst: allFirst };
}

/** Walks one record at a time, checking the grammar and locating the fields. */
class RecordScanner {
  readonly spans: RecordSpans = { start: 0, end: 0, fields: new Int32Array(FIELD_COUNT * 2), escaped: 0, escapedKey: false, eventVersionFirst: true, complex: false };
  private readonly n: number;
  /** Index of the next backslash (or the text's length): strings that end before it have no escapes. */
  private nb: number;
  /** The last string read had an escape sequence. */
  private escapedString = false;
  private readonly stack = new Uint8Array(MAX_SCAN_DEPTH + 2);

  constructor(private readonly s: string) {
    this.n = s.length;
    const nb = s.indexOf("\\");
    this.nb = nb < 0 ? this.n : nb;
  }

  /** End (after the closing quote) of the string whose opening quote is at `p`, or -1 when invalid. */
  private stringEnd(p: number): number {
    const s = this.s;
    const q = s.indexOf('"', p + 1);
    if (q < 0) return -1;
    if (q < this.nb) {
      this.escapedString = false;
      return q + 1;
    }
    let j = p + 1;
    for (;;) {
      if (j >= this.n) return -1;
      const c = s.charCodeAt(j);
      if (c === 0x22) break;
      if (c === 0x5c) {
        const e = s.charCodeAt(j + 1);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) if (!isHex(s.charCodeAt(j + k))) return -1;
          j += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) j += 2;
        else return -1;
        continue;
      }
      j++;
    }
    const nb = s.indexOf("\\", j);
    this.nb = nb < 0 ? this.n : nb;
    this.escapedString = true;
    return j + 1;
  }

  /** Scans the record whose `{` is at `i`; returns its end, or -1 when the text is not valid JSON (or too odd to locate fields in). */
  record(i: number): number {
    const s = this.s;
    const sp = this.spans;
    const fields = sp.fields;
    const stack = this.stack;
    if (s.charCodeAt(i) !== 0x7b) return -1;
    sp.start = i;
    fields.fill(-1);
    sp.escaped = 0;
    sp.escapedKey = false;
    sp.complex = false;
    let first = true;
    let depth = 0;
    /** Depth of the userIdentity object being walked (0: none). */
    let identityDepth = 0;
    /** Depth of the requestParameters object or array being walked (0: none). */
    let paramsDepth = 0;
    /** The located field whose value comes next (-1: none). */
    let field = -1;
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        const c = s.charCodeAt(i);
        if (c === 0x7b || c === 0x5b) {
          if (depth >= MAX_SCAN_DEPTH) return -1;
          stack[++depth] = c === 0x7b ? 1 : 2;
          if (field === FIELD.userIdentity) {
            fields[FIELD.userIdentity * 2] = i;
            fields[FIELD.identityType * 2] = -1;
            fields[FIELD.identityType * 2 + 1] = -1;
            sp.escaped &= ~(1 << FIELD.identityType);
            identityDepth = c === 0x7b ? depth : -depth;
          } else if (field === FIELD.requestParameters) {
            fields[FIELD.requestParameters * 2] = i;
            paramsDepth = depth;
          } else if (field >= 0) {
            // A located field holding an object or array: nothing a rule index can use; read the record in full.
            sp.complex = true;
          }
          field = -1;
          i++;
          const d = s.charCodeAt(i);
          if ((d === 0x7d && c === 0x7b) || (d === 0x5d && c === 0x5b)) {
            i++;
            if (identityDepth === depth || identityDepth === -depth) {
              fields[FIELD.userIdentity * 2 + 1] = i;
              identityDepth = 0;
            } else if (paramsDepth === depth) {
              fields[FIELD.requestParameters * 2 + 1] = i;
              paramsDepth = 0;
            }
            depth--;
            expectValue = false;
            continue;
          }
          if (c === 0x5b) continue;
          if (d !== 0x22) return -1;
          const kEnd = this.stringEnd(i);
          if (kEnd < 0) return -1;
          if (depth === 1) first = s.startsWith('eventVersion"', i + 1);
          field = this.keyAt(i + 1, kEnd - 1, depth, identityDepth);
          i = kEnd;
          if (s.charCodeAt(i) !== 0x3a) return -1;
          i++;
          continue;
        }
        let vEnd: number;
        if (c === 0x22) vEnd = this.stringEnd(i);
        else if (c === 0x74) vEnd = s.startsWith("true", i) ? i + 4 : -1;
        else if (c === 0x66) vEnd = s.startsWith("false", i) ? i + 5 : -1;
        else if (c === 0x6e) vEnd = s.startsWith("null", i) ? i + 4 : -1;
        else vEnd = numberEnd(s, i);
        if (vEnd < 0) return -1;
        if (field >= 0) {
          if (field === FIELD.userIdentity) {
            fields[FIELD.identityType * 2] = -1;
            fields[FIELD.identityType * 2 + 1] = -1;
          }
          fields[field * 2] = i;
          fields[field * 2 + 1] = vEnd;
          if (c === 0x22 && this.escapedString) sp.escaped |= 1 << field;
          else sp.escaped &= ~(1 << field);
          field = -1;
        }
        i = vEnd;
        expectValue = false;
      } else {
        if (depth === 0) break;
        const c = s.charCodeAt(i);
        const top = stack[depth];
        if (c === 0x2c) {
          i++;
          if (top === 2) {
            expectValue = true;
            continue;
          }
          if (s.charCodeAt(i) !== 0x22) return -1;
          const kEnd = this.stringEnd(i);
          if (kEnd < 0) return -1;
          if (depth === 1 && digit(s.charCodeAt(i + 1))) first = false;
          field = this.keyAt(i + 1, kEnd - 1, depth, identityDepth);
          i = kEnd;
          if (s.charCodeAt(i) !== 0x3a) return -1;
          i++;
          expectValue = true;
          continue;
        }
        if ((c === 0x7d && top === 1) || (c === 0x5d && top === 2)) {
          i++;
          if (identityDepth === depth || identityDepth === -depth) {
            fields[FIELD.userIdentity * 2 + 1] = i;
            identityDepth = 0;
          } else if (paramsDepth === depth) {
            fields[FIELD.requestParameters * 2 + 1] = i;
            paramsDepth = 0;
          }
          depth--;
          continue;
        }
        return -1;
      }
    }
    sp.end = i;
    sp.eventVersionFirst = first;
    return i;
  }

  /** The located field a key names (-1: none). A key with an escape sequence marks the record: its fields cannot be told. */
  private keyAt(a: number, b: number, depth: number, identityDepth: number): number {
    if (depth !== 1 && depth !== identityDepth) return -1;
    if (this.escapedString) {
      this.spans.escapedKey = true;
      return -1;
    }
    if (depth === 1) return recordKey(this.s, a, b - a);
    return b - a === 4 && this.s.startsWith("type", a) ? FIELD.identityType : -1;
  }
}

/**
 * True when some byte is below 0x20 (a control character, tab or line end), checking four bytes at a
 * time (several times faster than a regular expression over the text).
 */
export function hasControlBytes(b: Uint8Array): boolean {
  let i = 0;
  const n = b.length;
  while (i < n && (b.byteOffset + i) % 4 !== 0) if (b[i++]! < 0x20) return true;
  const words = new Uint32Array(b.buffer, b.byteOffset + i, (n - i) >>> 2);
  for (let k = 0; k < words.length; k++) {
    const x = words[k]!;
    // "Has a byte less than 0x20" (exact for every byte value).
    if (((x - 0x20202020) & ~x & 0x80808080) !== 0) return true;
  }
  for (i += words.length * 4; i < n; i++) if (b[i]! < 0x20) return true;
  return false;
}

/** Characters that are not allowed anywhere in a compact JSON text (\t \n \r are checked apart). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function digit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** End of the JSON number at `i`, or -1 when there is none (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`). */
function numberEnd(s: string, i: number): number {
  let c = s.charCodeAt(i);
  if (c === 0x2d) c = s.charCodeAt(++i);
  if (c === 0x30) c = s.charCodeAt(++i);
  else if (c >= 0x31 && c <= 0x39) {
    do c = s.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  } else return -1;
  if (c === 0x2e) {
    c = s.charCodeAt(++i);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = s.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45) {
    c = s.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = s.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  }
  return i;
}

/** The located field a record-level key names, or -1. */
function recordKey(s: string, a: number, len: number): number {
  switch (len) {
    case 7:
      return s.startsWith("eventID", a) ? FIELD.eventID : -1;
    case 9:
      switch (s.charCodeAt(a)) {
        case 0x61: // a
          return s.startsWith("awsRegion", a) ? FIELD.awsRegion : -1;
        case 0x72: // r
          return s.startsWith("requestID", a) ? FIELD.requestID : -1;
        case 0x75: // u
          return s.startsWith("userAgent", a) ? FIELD.userAgent : -1;
        case 0x65: // e
          if (s.startsWith("eventName", a)) return FIELD.eventName;
          if (s.startsWith("eventTime", a)) return FIELD.eventTime;
          if (s.startsWith("eventType", a)) return FIELD.eventType;
          return s.startsWith("errorCode", a) ? FIELD.errorCode : -1;
        default:
          return -1;
      }
    case 11:
      return s.startsWith("eventSource", a) ? FIELD.eventSource : -1;
    case 12:
      return s.startsWith("userIdentity", a) ? FIELD.userIdentity : -1;
    case 15:
      return s.startsWith("sourceIPAddress", a) ? FIELD.sourceIPAddress : -1;
    case 17:
      return s.startsWith("requestParameters", a) ? FIELD.requestParameters : -1;
    default:
      return -1;
  }
}
