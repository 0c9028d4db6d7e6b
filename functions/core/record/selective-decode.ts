import { markersWithin, tooDenseToParseWhole, unwrap, type DecodedText } from "./decode";
import { MAX_LISTED_PROBLEMS, type RecordLimits } from "./limits";
import { FIELD, scanRecordsDocument, type RecordSpans } from "./prefilter";
import { FULL_RECORD, RECORD_TEXT, RECORD_USE, type RecordFilter, type RecordKeys } from "./record-filter";
import { detached } from "./detached";
import { missingRequiredField, type InvalidRecord } from "./schema";

/** The text of one file as the selective decoder reads it. */
export interface FileText {
  /** The file's bytes as latin1: one character per byte, so positions are byte offsets. */
  latin1: string;
  /** True when every byte is ASCII: `latin1` is then the file's text itself. */
  ascii: boolean;
  /** The UTF-8 text of bytes `[start, end)` (used for the records that are parsed). */
  utf8(start: number, end: number): string;
  /** The bytes hold no control character, tab or line end (see `hasControlBytes`). */
  noControl?: boolean;
}

const NON_ASCII = /[\u0080-\u00ff]/;

/**
 * Decodes a CloudTrail delivery document, `JSON.parse`-ing only the records `filter` says a rule can
 * see, and returns what `decodeLogText` returns for the same text (the same records at the same
 * positions, the same invalid records) except that records no rule can see are only counted
 * (`unparsed`), and records only raw observers see come as views of a few fields (`FULL_RECORD` gives
 * the whole record). Returns undefined when the text is anything else or is not valid JSON, or when
 * `decodeLogText` would not read it with one `JSON.parse` (too dense, a record that may be over the
 * size limit): the caller then decodes it in full, damage, recovery and all.
 */
export function decodeSelected(text: FileText, from: number, source: string, limits: RecordLimits, filter: RecordFilter): DecodedText | undefined {
  const s = text.latin1;
  // Outside ASCII, the full decoder's limits count UTF-16 characters, not bytes: stay where they cannot differ.
  if (!text.ascii && s.length - from > limits.densityCheckBytes) return undefined;
  if (tooDenseToParseWhole(s, from, s.length, limits)) return undefined;

  const records: Record<string, unknown>[] = [];
  const index: number[] = [];
  const invalid: InvalidRecord[] = [];
  let moreInvalid = 0;
  let unparsed = 0;
  const fields = new FieldReader(text);
  const keys = new KeysOf(fields);

  const scan = scanRecordsDocument(s, from, (i, sp) => {
    fields.sp = sp;
    let use: number = RECORD_USE.parse;
    let kind: number = RECORD_USE.parse;
    if (!sp.complex && !sp.escapedKey && fields.nonEmpty(FIELD.eventSource) && fields.nonEmpty(FIELD.eventName) && fields.nonEmpty(FIELD.eventTime)) {
      keys.reset();
      use = filter.use(keys);
      kind = use & 3;
    }
    if (kind === RECORD_USE.count) {
      unparsed++;
      return;
    }
    if (kind === RECORD_USE.drop) return;
    if (kind === RECORD_USE.view) {
      // The rule index reads the event type and error code of what it is given: a view always has them.
      records.push(fields.view(keys, (use >> 2) | ALWAYS_IN_VIEW));
      index.push(i);
      return;
    }
    const v = unwrap(JSON.parse(text.utf8(sp.start, sp.end)));
    const why = missingRequiredField(v);
    if (why !== undefined) {
      if (invalid.length < MAX_LISTED_PROBLEMS) invalid.push({ source, position: i, where: `Records[${i}]`, reason: why });
      else moreInvalid++;
      return;
    }
    records.push(v as Record<string, unknown>);
    index.push(i);
  }, { noControl: text.noControl === true });
  if (!scan) return undefined;
  // decodeLogText reads a long text with one JSON.parse only when it can tell every record is within the size limit.
  if (s.length - from > limits.maxRecordBytes && !(scan.eventVersionFirst && markersWithin(s, from, s.length, scan.records, limits.maxRecordBytes))) return undefined;
  const out: DecodedText = { records, invalid };
  if (records.length !== scan.records) out.recordIndex = index;
  if (moreInvalid) out.moreInvalid = moreInvalid;
  if (unparsed) out.unparsed = unparsed;
  return out;
}

/** Reads the located fields of the record being scanned. */
class FieldReader {
  sp!: RecordSpans;
  private readonly s: string;
  private readonly viewValues: unknown[] = new Array(12).fill(undefined);
  /** Recently seen event sources, names and identity types: found again by comparing text, with no new string or hash. */
  private readonly recent = new Recent<string>(8);
  /**
   * Identities already parsed in this file, by their exact text: a session's calls repeat the same
   * `userIdentity` text, and the same text always parses to the same value. Frozen, as they are shared
   * between views. Per file (the keys are slices of the file's text), and bounded.
   */
  private readonly identities = new Map<string, unknown>();

  constructor(private readonly text: FileText) {
    this.s = text.latin1;
  }

  /** True when the field is a non-empty string. */
  nonEmpty(f: number): boolean {
    const a = this.sp.fields[f * 2]!;
    return a >= 0 && this.s.charCodeAt(a) === 0x22 && this.sp.fields[f * 2 + 1]! - a > 2;
  }

  /** The field's value as JSON.parse gives it (undefined when absent); `intern`: look among recent values first. */
  value(f: number, intern = false): unknown {
    const a = this.sp.fields[f * 2]!;
    if (a < 0) return undefined;
    const b = this.sp.fields[f * 2 + 1]!;
    if (this.s.charCodeAt(a) === 0x22 && !(this.sp.escaped & (1 << f))) {
      // Event sources and names repeat: the same string object (and its cached hash) is reused.
      if (intern) {
        const hit = this.recent.find(this.s, a + 1, b - 1);
        if (hit !== undefined) return hit.value;
      }
      const v = this.s.slice(a + 1, b - 1);
      if (this.text.ascii || !NON_ASCII.test(v)) {
        if (!intern) return v;
        // Interned values become keys of the engine's index, which outlives the file: copied, not sliced.
        const own = detached(v);
        this.recent.add(own, own);
        return own;
      }
    }
    return JSON.parse(this.text.utf8(a, b)) as unknown;
  }

  /** The field when it is a string (as `typeof v === "string"` sees it), else undefined. */
  string(f: number, intern = false): string | undefined {
    const a = this.sp.fields[f * 2]!;
    return a >= 0 && this.s.charCodeAt(a) === 0x22 ? (this.value(f, intern) as string) : undefined;
  }

  /** The record's `userIdentity` as `value` gives it, parsed once per distinct text in the file. */
  private identity(): unknown {
    const a = this.sp.fields[FIELD.userIdentity * 2]!;
    const b = this.sp.fields[FIELD.userIdentity * 2 + 1]!;
    if (a < 0 || this.s.charCodeAt(a) !== 0x7b || b - a > MAX_SHARED_IDENTITY) return this.value(FIELD.userIdentity);
    const text = this.s.slice(a, b);
    let v = this.identities.get(text);
    if (v === undefined) {
      v = deepFreeze(JSON.parse(this.text.utf8(a, b)) as unknown);
      if (this.identities.size < MAX_SHARED_IDENTITIES) this.identities.set(text, v);
    }
    return v;
  }

  /**
   * A raw view of the record: its event source, name and time and the located top-level fields of
   * `mask` (the others read as absent), with `FULL_RECORD` to parse the whole record. One object shape
   * for every view keeps the rules reading them fast.
   */
  view(keys: KeysOf, mask: number): Record<string, unknown> {
    const f = (field: number): unknown => (mask & (1 << field) ? this.value(field) : undefined);
    const values = this.viewValues;
    values[0] = keys.eventSource;
    values[1] = keys.eventName;
    values[2] = keys.eventTime;
    values[3] = f(FIELD.awsRegion);
    values[4] = f(FIELD.eventID);
    values[5] = f(FIELD.eventType);
    values[6] = f(FIELD.errorCode);
    values[7] = f(FIELD.requestParameters);
    values[8] = f(FIELD.sourceIPAddress);
    values[9] = f(FIELD.userAgent);
    values[10] = f(FIELD.requestID);
    values[11] = this.identity();
    const v = new RawView(this.text, this.sp.start, this.sp.end, values);
    return v as unknown as Record<string, unknown>;
  }
}

/** Longest identity text shared between views (real ones are under 2 KB), and how many a file keeps. */
const MAX_SHARED_IDENTITY = 4096;
const MAX_SHARED_IDENTITIES = 2048;

/** Freezes a parsed JSON value and everything in it. */
function deepFreeze(v: unknown): unknown {
  if (v !== null && typeof v === "object") {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const ALWAYS_IN_VIEW = (1 << FIELD.eventType) | (1 << FIELD.errorCode);

const TEXT = Symbol("text");
const START = Symbol("start");
const END = Symbol("end");
const PARSED = Symbol("parsed");

/**
 * A raw view: the record's fields a view holds as own properties (one shape for every view keeps the
 * rules reading them fast), and `FULL_RECORD` to parse the whole record, once. Where it came from is
 * kept under symbols, which JSON, `Object.keys` and structured clones leave out.
 */
class RawView {
  declare eventSource: unknown;
  declare eventName: unknown;
  declare eventTime: unknown;
  declare awsRegion: unknown;
  declare eventID: unknown;
  declare eventType: unknown;
  declare errorCode: unknown;
  declare requestParameters: unknown;
  declare sourceIPAddress: unknown;
  declare userAgent: unknown;
  declare requestID: unknown;
  declare userIdentity: unknown;
  declare [TEXT]: FileText | undefined;
  declare [START]: number;
  declare [END]: number;
  declare [PARSED]: Record<string, unknown> | undefined;
  constructor(text: FileText, start: number, end: number, fields: readonly unknown[]) {
    this.eventSource = fields[0];
    this.eventName = fields[1];
    this.eventTime = fields[2];
    this.awsRegion = fields[3];
    this.eventID = fields[4];
    this.eventType = fields[5];
    this.errorCode = fields[6];
    this.requestParameters = fields[7];
    this.sourceIPAddress = fields[8];
    this.userAgent = fields[9];
    this.requestID = fields[10];
    this.userIdentity = fields[11];
    this[TEXT] = text;
    this[START] = start;
    this[END] = end;
    this[PARSED] = undefined;
  }
  [FULL_RECORD](): Record<string, unknown> {
    if (this[PARSED] === undefined) {
      this[PARSED] = JSON.parse(this[TEXT]!.utf8(this[START], this[END])) as Record<string, unknown>;
      this[TEXT] = undefined;
    }
    return this[PARSED];
  }
  [RECORD_TEXT](): string {
    return this[PARSED] === undefined ? this[TEXT]!.utf8(this[START], this[END]) : JSON.stringify(this[PARSED]);
  }
}

/** The keys of the record being scanned, each taken out of the text once, when first read. */
class KeysOf implements RecordKeys {
  private src: string | undefined;
  private name: string | undefined;
  private time: string | undefined;
  constructor(private readonly fields: FieldReader) {}
  reset(): void {
    this.src = this.name = this.time = undefined;
  }
  get eventSource(): string {
    return (this.src ??= this.fields.value(FIELD.eventSource, true) as string);
  }
  get eventName(): string {
    return (this.name ??= this.fields.value(FIELD.eventName, true) as string);
  }
  get eventTime(): string {
    return (this.time ??= this.fields.value(FIELD.eventTime) as string);
  }
  get identityType(): string | undefined {
    return this.fields.string(FIELD.identityType, true);
  }
  get eventType(): string | undefined {
    return this.fields.string(FIELD.eventType);
  }
  get errorCode(): string | undefined {
    return this.fields.string(FIELD.errorCode);
  }
}

/** A few recently seen texts with a value each, found by comparing text in place (no slice, no hash). */
class Recent<V> {
  private readonly keys: string[] = [];
  private readonly values: V[] = [];
  private next = 0;
  private readonly hit = { value: undefined as unknown as V };
  constructor(private readonly size: number) {}
  find(s: string, a: number, b: number): { value: V } | undefined {
    const len = b - a;
    const keys = this.keys;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length === len && s.startsWith(key, a)) {
        this.hit.value = this.values[k]!;
        return this.hit;
      }
    }
    return undefined;
  }
  add(key: string, value: V): void {
    this.keys[this.next] = key;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
  }
}
