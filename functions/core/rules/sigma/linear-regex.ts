import { setFlagsFromString } from "node:v8";

/**
 * Regular expressions of Sigma rules (`|re`) run on V8's linear-time engine (the `l` flag), so no
 * pattern, however written, can backtrack catastrophically on a value a record chooses: with the
 * ordinary engine `/.*a.*b/` alone takes 18 s on 4,096 characters. The engine is enabled once per
 * process (`--enable-experimental-regexp-engine`, a V8 flag that only makes the `l` flag usable).
 * It runs neither backreferences nor lookaround, and has no case-insensitive mode: with `|re|i` the
 * value and the letters of the pattern are lower-cased instead (letters written as escapes such as
 * `\x41`, and `\p{Lu}`, are not folded). Values are cut to {@link MAX_REGEX_INPUT} characters.
 */

/** Characters of a value a pattern sees: a few milliseconds of matching at most. */
export const MAX_REGEX_INPUT = 4096;
/** Longest pattern accepted. */
export const MAX_REGEX_SOURCE = 1024;

let enabled: boolean | undefined;

/** True when this runtime runs the `l` flag (enabled on first use). */
export function linearEngineAvailable(): boolean {
  if (enabled === undefined) {
    try {
      setFlagsFromString("--enable-experimental-regexp-engine");
      new RegExp("a", "l");
      enabled = true;
    } catch {
      enabled = false;
    }
  }
  return enabled;
}

/** A compiled pattern: `test(value)` searches the (bounded) value. */
export interface LinearRegex {
  readonly source: string;
  readonly test: (value: string) => boolean;
}

/** The pattern with its letters lower-cased, escapes left as written (for `|re|i` on the linear engine). */
export function foldPatternCase(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c !== "\\") {
      out += c.toLowerCase();
      continue;
    }
    const next = source[i + 1] ?? "";
    let len = 2;
    if (next === "x") len = 4;
    else if (next === "u") len = source[i + 2] === "{" ? source.indexOf("}", i) - i + 1 : 6;
    else if (next === "c") len = 3;
    else if ((next === "p" || next === "P" || next === "k") && /[{<]/.test(source[i + 2] ?? "")) len = source.indexOf(next === "k" ? ">" : "}", i) - i + 1;
    if (len <= 1) len = 2;
    out += source.slice(i, i + len);
    i += len - 1;
  }
  return out;
}

/**
 * Compiles a Sigma `re` value with the modifiers' flags (`i`, `m`, `s`). A leading inline `(?i)`,
 * `(?s)`, `(?m)` (PCRE's way, common in Sigma rules) becomes the flag. Throws an Error saying what
 * is wrong when the pattern is invalid or cannot run in linear time.
 */
export function linearRegex(pattern: string, flags: { i?: boolean; m?: boolean; s?: boolean } = {}): LinearRegex {
  if (pattern.length > MAX_REGEX_SOURCE) throw new Error(`the pattern is ${pattern.length} characters long; at most ${MAX_REGEX_SOURCE}`);
  if (!linearEngineAvailable()) throw new Error("this Node.js cannot run regular expressions in linear time (V8's --enable-experimental-regexp-engine), which `re` needs");
  let source = pattern;
  const f = { ...flags };
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    for (const c of inline[1]!) f[c as "i" | "m" | "s"] = true;
    source = source.slice(inline[0].length);
  }
  if (/\(\?<?[=!]/.test(source)) throw new Error("lookaround ((?=, (?!, (?<=, (?<!) is not supported: patterns run on a linear-time engine");
  if (/\\[1-9]|\\k</.test(source)) throw new Error("backreferences are not supported: patterns run on a linear-time engine");
  const body = f.i ? foldPatternCase(source) : source;
  let re: RegExp;
  try {
    new RegExp(body); // the plain syntax check first: its messages name the mistake
    re = new RegExp(body, `${f.m ? "m" : ""}${f.s ? "s" : ""}l`);
  } catch (e) {
    throw new Error(`not a usable regular expression: ${(e as Error).message}`);
  }
  const fold = f.i === true;
  return {
    source: pattern,
    test(value: string): boolean {
      const v = value.length > MAX_REGEX_INPUT ? value.slice(0, MAX_REGEX_INPUT) : value;
      return re.test(fold ? v.toLowerCase() : v);
    },
  };
}
