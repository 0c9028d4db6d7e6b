/**
 * Characters that change how text is shown rather than being shown: control characters (C0, DEL,
 * C1: ESC/CSI sequences, BEL, CR, backspace, NEL, ...), format characters (bidi embeddings,
 * overrides and isolates U+202A-202E and U+2066-2069, zero-width characters, the BOM, invisible tag
 * characters) and the line and paragraph separators U+2028/U+2029. Text from records, file names or
 * error messages may carry any of them to rewrite a terminal, reorder a line or forge a new one.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\v": "\\v", "\0": "\\0" };

function escapeOne(c: string): string {
  const short = SHORT[c];
  if (short) return short;
  const cp = c.codePointAt(0)!;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\u{${cp.toString(16)}}`;
}

/**
 * The text with every control, format and line-separator character written out visibly (`\n`,
 * `\x1b`, `\u202e`, `\u{e0041}`), so it stays on one line and shows what it holds. Everything else
 * (letters of any script, emoji, backslashes) is left as it is.
 */
export function visible(s: string): string {
  HIDDEN.lastIndex = 0;
  return HIDDEN.test(s) ? s.replace(HIDDEN, escapeOne) : s;
}

/** {@link visible} for any value: strings escaped, other values as `String(v)`. */
export function visibleValue(v: unknown): string {
  return visible(typeof v === "string" ? v : String(v));
}
