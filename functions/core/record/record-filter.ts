import type { DecodedText } from "./decode";
import type { RecordLimits } from "./limits";

/**
 * What the rules need of one record, decided from its raw text before it is parsed (see
 * `selective-decode.ts`): nothing (it is only counted), a raw view of a few top-level fields, or the
 * whole parsed record.
 */
export const RECORD_USE = {
  /** No rule can match it: counted as read, never parsed. */
  count: 0,
  /**
   * Only raw threshold rules that declare the fields they read see it: a view of those fields is
   * enough. The fields are bits above the two of the kind (see {@link viewUse}).
   */
  view: 1,
  /** Parsed in full (and validated if a rule of validated records sees it). */
  parse: 2,
  /** Outside the scan's time window: neither parsed nor counted (a windowed source drops it too). */
  drop: 3,
} as const;
/** One of {@link RECORD_USE}, or a view with its fields (`viewUse`): the kind is `use & 3`. */
export type RecordUse = number;

/** A view holding the located fields of `mask` (bit `1 << FIELD.x` of `prefilter.ts`). */
export function viewUse(mask: number): RecordUse {
  return RECORD_USE.view | (mask << 2);
}

/**
 * The fields of a record a rule index looks at, read from its raw text. Each is what `JSON.parse` gives
 * for the field when that is a string, else undefined (the event source, name and time are always
 * non-empty strings here). Read them only as needed: each is taken out of the text when read.
 */
export interface RecordKeys {
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventTime: string;
  /** `userIdentity.type`. */
  readonly identityType: string | undefined;
  readonly eventType: string | undefined;
  readonly errorCode: string | undefined;
}

/** Decides, from a record's keys, what the rules need of it (the rule engine implements it). */
export interface RecordFilter {
  use(keys: RecordKeys): RecordUse;
}

/**
 * Decodes the bytes of one file's text selectively, or says it cannot (undefined: decode it in full).
 * `adapters/selective-content.ts` is the implementation; callers that want selective decoding pass it
 * with their filter (`ReadOptions`), so code that never decodes selectively does not carry it.
 */
export type SelectiveDecoder = (data: Buffer, source: string, limits: RecordLimits, filter: RecordFilter) => DecodedText | undefined;

/** Marks a raw view: calling it gives the whole record, parsed (once). */
export const FULL_RECORD: unique symbol = Symbol("trailwatch.fullRecord");

/** The whole raw record behind a raw view, or the record itself when it is not a view. */
export function fullRecord<T extends object>(r: T): T {
  const full = (r as { [FULL_RECORD]?: () => T })[FULL_RECORD];
  return full ? full.call(r) : r;
}

/** Marks a record that gives its whole JSON text without being stringified (a raw view: its own bytes). */
export const RECORD_TEXT: unique symbol = Symbol("trailwatch.recordText");

/** The JSON text of a whole record: a raw view's own text, else the record stringified. */
export function recordText(r: object): string {
  const text = (r as { [RECORD_TEXT]?: () => string })[RECORD_TEXT];
  return text ? text.call(r) : JSON.stringify(r);
}

/**
 * A record that arrived as JSON text (a scan worker's threshold sample), parsed on first use, once:
 * most samples are never used (only those of a window that fires build an alert). `fullRecord` gives
 * the parsed record; its event source, name and time read from it.
 */
export function recordFromText(text: string): RecordFromText {
  return new TextRecord(text) as unknown as RecordFromText;
}

type RecordFromText = { readonly eventSource: string; readonly eventName: string; readonly eventTime: string; [field: string]: unknown };

class TextRecord {
  private text: string;
  private parsed: Record<string, unknown> | undefined;
  constructor(text: string) {
    this.text = text;
  }
  [FULL_RECORD](): Record<string, unknown> {
    if (this.parsed === undefined) {
      this.parsed = JSON.parse(this.text) as Record<string, unknown>;
      this.text = "";
    }
    return this.parsed;
  }
  // A worker sends only records whose event source, name and time are strings (`missingRequiredField`).
  get eventSource(): string {
    return this[FULL_RECORD]().eventSource as string;
  }
  get eventName(): string {
    return this[FULL_RECORD]().eventName as string;
  }
  get eventTime(): string {
    return this[FULL_RECORD]().eventTime as string;
  }
}
