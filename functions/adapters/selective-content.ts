import { isAscii } from "node:buffer";
import type { DecodedText } from "../core/record/decode";
import type { RecordLimits } from "../core/record/limits";
import { hasControlBytes } from "../core/record/prefilter";
import type { RecordFilter, SelectiveDecoder } from "../core/record/record-filter";
import { decodeSelected } from "../core/record/selective-decode";

/**
 * Selective decoding of a file's bytes (see `core/record/selective-decode.ts`): the text is read as
 * latin1 (one character per byte), and the records that are parsed are decoded as UTF-8 from their
 * own bytes. Undefined when the file must be decoded in full (another shape, damage).
 */
export const decodeSelectedBytes: SelectiveDecoder = (data: Buffer, source: string, limits: RecordLimits, filter: RecordFilter): DecodedText | undefined => {
  let from = 0;
  while (from < data.length && (data[from] === 0x20 || data[from] === 0x0a || data[from] === 0x0d || data[from] === 0x09)) from++;
  if (data[from] !== 0x7b) return undefined;
  const latin1 = data.toString("latin1");
  const ascii = isAscii(data);
  const noControl = !hasControlBytes(data);
  return decodeSelected({ latin1, ascii, noControl, utf8: ascii ? (a, b) => latin1.slice(a, b) : (a, b) => data.toString("utf8", a, b) }, from, source, limits, filter);
};
