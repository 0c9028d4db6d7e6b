import { LineCounter, looksLikeRecordValue, scanJsonText, type ScanShape, type ValuePosition } from "./json-recovery";
import { formatBytes, MAX_LISTED_PROBLEMS, MIN_BYTES_PER_CONTAINER, READ_LIMITS, type RecordLimits } from "./limits";
import { missingRequiredField, type InvalidRecord } from "./schema";

/** Records extracted from the text of one file, or why there are none. */
export interface DecodedText {
  records: Record<string, unknown>[];
  /**
   * Where each record was in the file (`Records[3]`, `line 7`, `document 2 Records[0]`), parallel to
   * `records`. Absent when record `i` is `Records[i]` of a single S3-delivery document.
   */
  where?: string[];
  invalid: InvalidRecord[];
  /** Invalid records beyond those listed in `invalid` (a file lists at most {@link MAX_LISTED_PROBLEMS}). */
  moreInvalid?: number;
  /** The text holds no CloudTrail (a digest file, trailwatch's own alerts, some other JSON): skip it. */
  notCloudTrail?: string;
  /** The text is damaged or not JSON; `records` holds every complete record that could be recovered. */
  error?: string;
  /** Valid records no rule can see, counted but not parsed (selective decoding, see `selective-decode.ts`). */
  unparsed?: number;
  /**
   * When `where` is absent and some records were not parsed: record `i` is `Records[recordIndex[i]]`
   * of the file's one `{"Records":[...]}` document (a number per record costs less than a label).
   */
  recordIndex?: number[];
}

/** A position as the fast paths know it (a finished label) or as the careful path reports it. */
type At = string | ValuePosition;

/**
 * Turns the text of a log file into records. Accepts every shape CloudTrail data is found in: the S3
 * delivery shape `{"Records":[...]}`, a single record, an array of records, JSON Lines (one record,
 * envelope or whole `{"Records":[...]}` document per line), and several documents written one after
 * the other (`zcat *.gz > all.json`); a UTF-8 byte order mark is ignored.
 *
 * Intact files take the fast path: one `JSON.parse` of the whole text (or of each line). Anything
 * else (damage, concatenated documents, a record over the size limit) goes through one careful path,
 * {@link scanJsonText}, which finds every complete record, parses each on its own, and names every
 * record it could not read by its real position. Nothing here throws for bad content.
 */
export function decodeLogText(text: string, source: string, limits: RecordLimits = READ_LIMITS): DecodedText {
  const from = firstNonSpace(text);
  if (from < 0) return { records: [], invalid: [], error: "empty file (no JSON content)" };
  if (tooDenseToParseWhole(text, from, text.length, limits)) return careful(text, from, source, limits);
  let whole: unknown;
  let parsed = true;
  try {
    // A byte order mark (U+FEFF) is not JSON whitespace: parse from the first real character.
    whole = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(from) : text);
  } catch {
    parsed = false;
  }
  if (parsed) return fromDocument(whole, text, from, source, limits) ?? careful(text, from, source, limits);
  const c = text.charCodeAt(from);
  if ((c === 0x7b || c === 0x5b) && text.indexOf("\n", from) >= 0) {
    const out = fromLines(text, from, source, limits);
    if (out) return out;
  }
  return careful(text, from, source, limits);
}

/** Unwraps the envelopes records travel in: EventBridge events (`detail`), labelled test cases (`event`). */
export function unwrap(v: unknown): unknown {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (o.eventName === undefined) {
      if (o["detail-type"] !== undefined && o.detail && typeof o.detail === "object") return o.detail;
      if (o.event && typeof o.event === "object" && !Array.isArray(o.event)) return o.event;
    }
    // Logstash/Elastic exports move eventTime to @timestamp; the event is otherwise intact.
    if (o.eventTime === undefined && typeof o["@timestamp"] === "string") o.eventTime = o["@timestamp"];
  }
  return v;
}

const SEVERITY_NAMES = new Set(["info", "low", "medium", "high", "critical"]);

/**
 * True for an alert as `trailwatch scan --format jsonl|json` writes it: rule, severity and summary,
 * which no CloudTrail record has at its top level (and no userIdentity, which every record has).
 */
export function isTrailwatchAlert(v: unknown): boolean {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.rule === "string" && typeof o.severity === "string" && SEVERITY_NAMES.has(o.severity) &&
    typeof o.summary === "string" && typeof o.id === "string" && !("userIdentity" in o);
}

function isDigest(o: Record<string, unknown>): boolean {
  return "digestStartTime" in o || "digestS3Object" in o;
}

/** Where a file named like a CloudTrail log is expected to hold one (its folder or name says so). */
function namedLikeCloudTrail(source: string): boolean {
  return /(^|[/\\])CloudTrail([/\\]|$)|_CloudTrail_/.test(source);
}

/**
 * Accumulates what one file yields, whatever path read it, and turns it into a {@link DecodedText}
 * at the end (when the file's shape, and so the naming of positions, is known).
 */
class Collector {
  readonly records: Record<string, unknown>[] = [];
  /** Labels of the records; undefined while every record `i` is `Records[i]`. */
  private at: At[] | undefined;
  private readonly bad: { at: At; reason: string }[] = [];
  private readonly alerts: At[] = [];
  private readonly others: { at: At; reason: string }[] = [];
  /** Problems counted but not kept (beyond {@link MAX_LISTED_PROBLEMS}), so a hostile file cannot fill memory with them. */
  private unlisted = 0;
  private alertCount = 0;
  private otherCount = 0;
  private digests = 0;
  private documents = 0;
  private recordLike = 0;
  private lostCount = 0;
  /** The first faults found (one is enough to report), and how many there were. */
  readonly faults: string[] = [];
  private faultCount = 0;
  recordsNotArray?: string;

  fault(reason: string): void {
    this.faultCount++;
    if (this.faults.length < 10) this.faults.push(reason);
  }

  constructor(private readonly source: string) {}

  /**
   * An element of a `Records` array. The fast path passes only `index` (no label is built while every
   * record `i` is `Records[i]`); other paths pass where the record was.
   */
  record(raw: unknown, at: At | undefined, index?: number): void {
    this.recordLike++;
    const v = unwrap(raw);
    const why = missingRequiredField(v);
    if (why !== undefined) {
      this.problem(this.bad, { at: at ?? `Records[${index}]`, reason: why });
      return;
    }
    if (this.at === undefined) {
      if (at === undefined && index === this.records.length) {
        this.records.push(v as Record<string, unknown>);
        return;
      }
      this.at = this.records.map((_, i) => `Records[${i}]`);
    }
    this.at.push(at ?? `Records[${index}]`);
    this.records.push(v as Record<string, unknown>);
  }

  /** A `{"Records":[...]}` document was read (even an empty one is CloudTrail). */
  document(): void {
    this.documents++;
  }

  /** A top-level value, a line, or an element of a top-level array. */
  value(v: unknown, at: At, limits: RecordLimits, text?: string, range?: [number, number]): boolean {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.Records)) {
        if (range && text && !elementsWithin(text, range[0], range[1], o.Records, limits.maxRecordBytes)) return false;
        this.documents++;
        for (let i = 0; i < o.Records.length; i++) {
          this.record(o.Records[i], typeof at === "string" ? `${at} Records[${i}]` : { ...at, index: i, in: "Records" });
        }
        return true;
      }
      if ("Records" in o) {
        this.recordsNotArray ??= `"Records" is ${o.Records === null ? "null" : typeof o.Records}, expected an array`;
        this.otherCount++;
        this.problem(this.others, { at, reason: this.recordsNotArray });
        return true;
      }
      if (isDigest(o)) {
        this.digests++;
        return true;
      }
      if (isTrailwatchAlert(o)) {
        this.alertCount++;
        this.problem(this.alerts, at);
        return true;
      }
    }
    const rec = unwrap(v);
    if (looksLikeRecordValue(rec)) {
      if (range && range[1] - range[0] > limits.maxRecordBytes) {
        this.lost(at, `record is ${formatBytes(range[1] - range[0])}, more than the ${formatBytes(limits.maxRecordBytes)} limit for one record; not read`);
      } else this.record(rec, at);
    } else {
      this.otherCount++;
      this.problem(this.others, { at, reason: missingRequiredField(rec) ?? "not a CloudTrail record" });
    }
    return true;
  }

  /** A record-level value the careful path could not read. */
  lost(at: At, reason: string): void {
    this.recordLike++;
    this.lostCount++;
    this.problem(this.bad, { at, reason });
  }

  private problem<T>(list: T[], p: T): void {
    if (this.bad.length + this.alerts.length + this.others.length < MAX_LISTED_PROBLEMS) list.push(p);
    else this.unlisted++;
  }

  /** The result; `shape` names positions for the careful path, `whole` describes a single top-level value. */
  result(opts: { shape?: ScanShape; single?: string } = {}): DecodedText {
    const label = (at: At): string => (typeof at === "string" ? at : labelFor(at, opts.shape));
    const position = (at: At): number => (typeof at === "string" ? positionOf(at) : at.index ?? at.line);
    const out: DecodedText = { records: this.records, invalid: [] };
    if (this.at !== undefined) out.where = this.at.map(label);
    const invalid = (at: At, reason: string): InvalidRecord => ({ source: this.source, position: position(at), where: label(at), reason });

    const cloudTrail = this.recordLike > 0 || this.documents > 0;
    if (!cloudTrail && this.faults.length === 0) {
      if (this.alertCount > 0 && this.otherCount === 0) {
        out.notCloudTrail = `trailwatch's own output (${this.alertCount} alert(s) written by trailwatch scan)`;
      } else if (this.digests > 0 && this.otherCount === 0 && this.alertCount === 0) {
        out.notCloudTrail = "a CloudTrail digest file (integrity data, no events)";
      } else if (this.recordsNotArray) {
        out.error = this.recordsNotArray;
      } else if (opts.single === "object") {
        // Where a CloudTrail file is expected, a missing "Records" is an error; elsewhere (a
        // manifest.json, a package.json next to the logs) it is simply not CloudTrail.
        if (namedLikeCloudTrail(this.source)) out.error = 'JSON object without a "Records" array and not a CloudTrail record';
        else out.notCloudTrail = 'a JSON object without a "Records" array (not a CloudTrail log)';
      } else if (opts.single === "array") {
        out.notCloudTrail = "a JSON array with no CloudTrail records";
      } else if (opts.single) {
        out.notCloudTrail = `a JSON ${opts.single}, not CloudTrail`;
      } else {
        out.notCloudTrail = "JSON values with no CloudTrail records";
      }
      return out;
    }
    for (const b of this.bad) out.invalid.push(invalid(b.at, b.reason));
    for (const a of this.alerts) out.invalid.push(invalid(a, "a trailwatch alert (trailwatch's own output), not a CloudTrail record"));
    for (const o of this.others) out.invalid.push(invalid(o.at, o.reason));
    if (this.unlisted > 0) out.moreInvalid = this.unlisted;
    if (this.faults.length > 0) {
      const lost = this.lostCount;
      const kept = this.records.length > 0 || lost > 0 ? `; kept ${this.records.length} complete record(s)${lost ? `, ${lost} could not be read (named below)` : ""}` : "";
      out.error = `${this.faults[0]}${this.faultCount > 1 ? ` (and ${this.faultCount - 1} more fault(s))` : ""}${kept}`;
    } else if (!cloudTrail && this.otherCount > 0) {
      out.error = this.recordsNotArray ?? "no CloudTrail records";
    }
    if (this.recordsNotArray && this.records.length === 0 && !out.error) out.error = this.recordsNotArray;
    return out;
  }
}

/**
 * True when `text[from, to)` is long and holds more objects and arrays than
 * {@link MIN_BYTES_PER_CONTAINER} allows (checked over `limits.densityCheckBytes`), so parsing it whole could take many times its size in memory.
 */
export function tooDenseToParseWhole(text: string, from: number, to: number, limits: RecordLimits): boolean {
  if (to - from <= limits.densityCheckBytes) return false;
  const allowed = (to - from) / MIN_BYTES_PER_CONTAINER;
  let n = 0;
  for (const ch of ["{", "["]) {
    for (let k = text.indexOf(ch, from); k >= 0 && k < to; k = text.indexOf(ch, k + 1)) if (++n > allowed) return true;
  }
  return false;
}

/** Number inside a finished label ("Records[12]" -> 12, "line 40" -> 40), for `InvalidRecord.position`. */
function positionOf(label: string): number {
  const m = /(\d+)\]?$/.exec(label);
  return m ? Number(m[1]) : 0;
}

/** Names a careful-path position: `Records[3]`, `line 7`, `line 2 Records[0]` or `document 2 Records[0]`. */
function labelFor(at: ValuePosition, shape: ScanShape | undefined): string {
  const inner = at.in === "Records" ? `${at.outer !== undefined ? `record ${at.outer} ` : ""}Records[${at.index}]` : at.in === "array" ? `record ${at.index}` : undefined;
  const multi = shape !== undefined && shape.documents > 1;
  if (!multi && at.doc >= 0) return inner ?? "the record";
  if (at.doc < 0 || !shape?.documentsShareLines) {
    const prefix = `line ${at.in && at.doc >= 0 ? at.docLine : at.line}`;
    return inner ? `${prefix} ${inner}` : prefix;
  }
  const prefix = `document ${at.doc + 1}`;
  return inner ? `${prefix} ${inner}` : prefix;
}

/**
 * Fast check that no element of `list` (parsed from `text[from, to)`) is bigger than `max`, without
 * walking the elements. Every element must begin with its `eventVersion` key (as every record
 * CloudTrail writes does), and the text must hold exactly as many `{"eventVersion":` as there are
 * elements: then each of those marks the start of one element, in order (in valid JSON the sequence
 * cannot occur inside a string, whose quotes would be escaped), and an element's text ends before the
 * next one starts. Searching for a sequence that starts with `{`, a rare character, costs about 1 % of
 * parsing. `false` means "not known" (another key order, pretty-printed text): read carefully instead.
 */
function elementsWithin(text: string, from: number, to: number, list: unknown[], max: number): boolean {
  if (to - from <= max) return true;
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    if (r === null || typeof r !== "object" || firstKey(r) !== "eventVersion") return false;
  }
  return markersWithin(text, from, to, list.length, max);
}

/**
 * The second half of {@link elementsWithin}, for `count` elements that each begin with their
 * `eventVersion` key: the `{"eventVersion":` marks number `count` and lie at most `max` apart.
 */
export function markersWithin(text: string, from: number, to: number, count: number, max: number): boolean {
  const START = '{"eventVersion":';
  let prev = -1;
  let seen = 0;
  for (let k = text.indexOf(START, from); k >= 0 && k < to; k = text.indexOf(START, k + 1)) {
    if (prev >= 0 && k - prev > max) return false;
    if (++seen > count) return false;
    prev = k;
  }
  return seen === count && (seen === 0 || to - prev <= max);
}

/** The first key of a parsed object (its first key in the text, unless keys look like array indexes). */
function firstKey(o: object): string | undefined {
  for (const k in o) return k;
  return undefined;
}

/**
 * The whole text parsed as one value. Returns undefined when the careful path must decide (a record
 * might be over the size limit).
 */
function fromDocument(whole: unknown, text: string, from: number, source: string, limits: RecordLimits): DecodedText | undefined {
  const c = new Collector(source);
  if (Array.isArray(whole)) {
    if (!elementsWithin(text, from, text.length, whole, limits.maxRecordBytes)) return undefined;
    for (let i = 0; i < whole.length; i++) {
      if (!c.value(whole[i], `record ${i}`, limits)) return undefined;
    }
    return c.result({ single: "array" });
  }
  if (whole && typeof whole === "object") {
    const o = whole as Record<string, unknown>;
    if (Array.isArray(o.Records)) {
      if (!elementsWithin(text, from, text.length, o.Records, limits.maxRecordBytes)) return undefined;
      const list = o.Records;
      c.document();
      for (let i = 0; i < list.length; i++) c.record(list[i], undefined, i);
      return c.result();
    }
    c.value(o, "the record", limits, text, [from, text.length]);
    return c.result({ single: "object" });
  }
  c.value(whole, "the record", limits);
  return c.result({ single: whole === null ? "null" : typeof whole });
}

/** JSON Lines: every non-blank line parsed on its own. Undefined when a line does not parse (careful path). */
function fromLines(text: string, from: number, source: string, limits: RecordLimits): DecodedText | undefined {
  const c = new Collector(source);
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = n;
    lineNo++;
    const start = pos;
    pos = end + 1;
    if (end <= from) continue;
    const line = text.slice(start, end).trim();
    if (line.length === 0 || line === "\ufeff") continue;
    if (tooDenseToParseWhole(line, 0, line.length, limits)) return undefined;
    let v: unknown;
    try {
      v = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch {
      return undefined;
    }
    if (!c.value(v, `line ${lineNo}`, limits, text, [start, end])) return undefined;
  }
  return c.result();
}

/** The careful path: one scan of the text, every record-level value parsed on its own. */
function careful(text: string, from: number, source: string, limits: RecordLimits): DecodedText {
  const c = new Collector(source);
  const lines = new LineCounter(text);
  const shape = scanJsonText(text, from, limits, {
    value(start, end, at) {
      let v: unknown;
      try {
        v = JSON.parse(text.slice(start, end));
      } catch (e) {
        c.lost(at, `invalid JSON: ${jsonErrorMessage(e, lines, start)}`);
        return;
      }
      if (at.in === "Records") c.record(v, at);
      else c.value(v, at, limits);
    },
    lost(at, reason) {
      c.lost(at, reason);
    },
    fault(reason) {
      c.fault(reason);
    },
  });
  return c.result({ shape });
}

/**
 * JSON.parse's message without the snippet of input V8 quotes (hostile text stays out of messages),
 * its position turned into a line and column of the file.
 */
function jsonErrorMessage(e: unknown, lines: LineCounter, base: number): string {
  let m = (e as Error).message ?? String(e);
  m = m.replace(/,\s*".*" is not valid JSON$/s, "");
  m = m.replace(/Unexpected token '(.)'/su, (_, ch: string) => {
    const code = ch.codePointAt(0)!;
    return code >= 0x21 && code <= 0x7e ? `Unexpected token '${ch}'` : `Unexpected character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  });
  m = m.replace(/ in JSON at position (\d+)(?: \(line \d+ column \d+\))?/, (_, p: string) => ` at ${lines.describe(base + Number(p))}`);
  return m.length > 200 ? m.slice(0, 200) + "..." : m;
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return i;
  }
  return -1;
}
