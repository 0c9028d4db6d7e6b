import { missingRequiredField, type InvalidRecord } from "./schema";

/** Records extracted from the text of one file, or why there are none. */
export interface DecodedText {
  records: Record<string, unknown>[];
  invalid: InvalidRecord[];
  /** The text parsed but holds no CloudTrail (e.g. a digest file or some other JSON). */
  notCloudTrail?: string;
  /** The text is not valid JSON / JSON Lines; `records` holds whatever could be recovered. */
  error?: string;
}

/**
 * Unwraps the envelopes CloudTrail records travel in: EventBridge events (`detail`), labelled test
 * cases (`event`), and leaves plain records as they are.
 */
function unwrap(v: unknown): unknown {
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

function looksLikeRecord(v: unknown): boolean {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return "eventName" in o || "eventSource" in o || "eventTime" in o || "userIdentity" in o || "eventVersion" in o;
}

function collect(list: unknown[], source: string, out: DecodedText, where: (i: number) => string, base = 0): void {
  for (let i = 0; i < list.length; i++) {
    const rec = unwrap(list[i]);
    const why = missingRequiredField(rec);
    if (why === undefined) out.records.push(rec as Record<string, unknown>);
    else out.invalid.push({ source, position: base + i, where: where(base + i), reason: why });
  }
}

/**
 * Turns the text of a log file into records. Accepts every shape CloudTrail data is found in:
 * the S3 delivery shape `{"Records":[...]}`, a single record, an array of records, and JSON Lines
 * (one record or envelope per line). A bad line in JSON Lines is reported with its line number and
 * the other lines are kept.
 */
export function decodeLogText(text: string, source: string): DecodedText {
  const out: DecodedText = { records: [], invalid: [] };
  const start = firstNonSpace(text);
  if (start < 0) {
    out.error = "empty file (no JSON content)";
    return out;
  }
  let whole: unknown;
  let wholeError: string | undefined;
  try {
    whole = JSON.parse(text);
  } catch (e) {
    wholeError = (e as Error).message;
  }
  if (wholeError === undefined) {
    if (Array.isArray(whole)) {
      if (whole.length > 0 && !whole.some((x) => looksLikeRecord(unwrap(x)))) {
        out.notCloudTrail = "a JSON array with no CloudTrail records";
        return out;
      }
      collect(whole, source, out, (i) => `record ${i}`);
      return out;
    }
    if (whole && typeof whole === "object") {
      const o = whole as Record<string, unknown>;
      if (Array.isArray(o.Records)) {
        collect(o.Records, source, out, (i) => `Records[${i}]`);
        return out;
      }
      if ("Records" in o) {
        out.error = `"Records" is ${o.Records === null ? "null" : typeof o.Records}, expected an array`;
        return out;
      }
      if ("digestStartTime" in o || "digestS3Object" in o) {
        out.notCloudTrail = "a CloudTrail digest file (integrity data, no events)";
        return out;
      }
      const rec = unwrap(o);
      if (looksLikeRecord(rec)) {
        collect([o], source, out, () => "the record");
        return out;
      }
      // Where a CloudTrail file is expected (its name or folder says so), a missing "Records" is an
      // error; elsewhere (a manifest.json, a package.json next to the logs) it is simply not CloudTrail.
      if (/(^|[/\\])CloudTrail([/\\]|$)|_CloudTrail_/.test(source)) out.error = 'JSON object without a "Records" array and not a CloudTrail record';
      else out.notCloudTrail = 'a JSON object without a "Records" array (not a CloudTrail log)';
      return out;
    }
    out.notCloudTrail = `a JSON ${whole === null ? "null" : typeof whole}, not CloudTrail`;
    return out;
  }
  // Not one JSON document: try JSON Lines, which is what most exported data sets use.
  if (text[start] === "{" && text.indexOf("\n", start) >= 0) {
    let lineNo = 0;
    let pos = 0;
    let bad = 0;
    let firstBad = "";
    while (pos <= text.length) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = text.length;
      lineNo++;
      const line = text.slice(pos, end).trim();
      pos = end + 1;
      if (line.length === 0) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        bad++;
        const reason = `invalid JSON: ${(e as Error).message}`;
        if (!firstBad) firstBad = `line ${lineNo}: ${reason}`;
        out.invalid.push({ source, position: lineNo, where: `line ${lineNo}`, reason });
        continue;
      }
      collect([v], source, out, () => `line ${lineNo}`, lineNo);
    }
    if (out.records.length === 0 && bad > 0) {
      // Not JSON Lines after all: a pretty-printed S3-shaped file broken somewhere is salvaged below.
      if (!text.includes('"Records"')) {
        out.invalid = [];
        out.error = `invalid JSON (${firstBad})`;
        return out;
      }
      out.invalid = [];
    } else return out;
  }
  if (text[start] === "{" && text.includes('"Records"')) {
    // A damaged S3-shaped file (truncated download, a broken record): keep every complete record.
    const salvaged = salvageRecords(text, source);
    out.records = salvaged.records;
    out.invalid = salvaged.invalid;
    out.error = `invalid JSON: ${wholeError}; recovered ${salvaged.records.length} complete record(s) before/around the fault`;
    return out;
  }
  out.error = `invalid JSON: ${wholeError}`;
  return out;
}

/**
 * Walks the "Records" array of a damaged document object by object (string- and escape-aware brace
 * matching) and parses each complete object on its own. Only used on the error path.
 */
export function salvageRecords(text: string, source: string): { records: Record<string, unknown>[]; invalid: InvalidRecord[] } {
  const records: Record<string, unknown>[] = [];
  const invalid: InvalidRecord[] = [];
  const key = text.indexOf('"Records"');
  let i = text.indexOf("[", key);
  if (key < 0 || i < 0) return { records, invalid };
  let index = 0;
  i++;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) break;
    let depth = 0;
    let inString = false;
    let j = open;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (inString) {
        if (c === 0x5c) j++; // backslash: skip the escaped char
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b) depth++;
      else if (c === 0x7d && --depth === 0) break;
    }
    if (j >= text.length) {
      invalid.push({ source, position: index, where: `Records[${index}]`, reason: "record cut off at end of file" });
      break;
    }
    const chunk = text.slice(open, j + 1);
    try {
      const rec = JSON.parse(chunk);
      const why = missingRequiredField(rec);
      if (why === undefined) records.push(rec);
      else invalid.push({ source, position: index, where: `Records[${index}]`, reason: why });
    } catch (e) {
      invalid.push({ source, position: index, where: `Records[${index}]`, reason: `invalid JSON: ${(e as Error).message}` });
    }
    index++;
    i = j + 1;
  }
  return { records, invalid };
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return i;
  }
  return -1;
}
