/**
 * Wildcard patterns (`*` any run of characters, `?` one) matched without regular expressions: the
 * classic two-pointer algorithm that goes back only to the last `*`, so a pattern costs at most
 * (text length x pattern length) steps whatever it holds. Patterns come from people (suppressions,
 * Sigma rules) and texts from records, so neither may make a match slow.
 */

const STAR = -1;
const ONE = -2;

export interface WildcardOptions {
  /** Compare without regard to case (default true). */
  ignoreCase?: boolean;
  /** Sigma's escapes: `\*`, `\?` and `\\` stand for the character itself; any other `\` is literal. */
  escapes?: boolean;
}

/** A compiled wildcard pattern: `test(text)` says whether the whole text matches. */
export interface Wildcard {
  readonly source: string;
  readonly test: (text: string) => boolean;
}

/** The pattern as code units, with STAR and ONE for the wildcards (runs of `*` folded into one). */
function tokens(pattern: string, escapes: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escapes && c === "\\" && i + 1 < pattern.length && "*?\\".includes(pattern[i + 1]!)) {
      out.push(pattern.charCodeAt(++i));
    } else if (c === "*") {
      if (out[out.length - 1] !== STAR) out.push(STAR);
    } else if (c === "?") {
      out.push(ONE);
    } else out.push(pattern.charCodeAt(i));
  }
  return out;
}

function matches(t: string, p: readonly number[]): boolean {
  let ti = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const pc = pi < p.length ? p[pi]! : undefined;
    if (pc !== undefined && pc !== STAR && (pc === ONE || pc === t.charCodeAt(ti))) {
      ti++;
      pi++;
    } else if (pc === STAR) {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}

/** True when the pattern holds a wildcard (after escapes). */
export function hasWildcard(pattern: string, opts: Pick<WildcardOptions, "escapes"> = {}): boolean {
  return tokens(pattern, opts.escapes ?? false).some((t) => t < 0);
}

/** The literal text of a pattern without wildcards (escapes resolved). */
export function literalOf(pattern: string, opts: Pick<WildcardOptions, "escapes"> = {}): string {
  return String.fromCharCode(...tokens(pattern, opts.escapes ?? false).filter((t) => t >= 0));
}

/**
 * Compiles a wildcard pattern. Plain texts, prefixes (`abc*`), suffixes (`*abc`) and infixes
 * (`*abc*`) are compared with string functions; anything else with the bounded algorithm above.
 */
export function wildcard(pattern: string, opts: WildcardOptions = {}): Wildcard {
  const ignoreCase = opts.ignoreCase ?? true;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const p = tokens(fold(pattern), opts.escapes ?? false);
  const inner = p.slice(p[0] === STAR ? 1 : 0, p[p.length - 1] === STAR && p.length > 1 ? -1 : undefined);
  const simple = !inner.some((t) => t < 0);
  let test: (t: string) => boolean;
  if (p.length === 1 && p[0] === STAR) test = () => true;
  else if (simple) {
    const lit = String.fromCharCode(...inner);
    const lead = p[0] === STAR;
    const trail = p.length > 1 && p[p.length - 1] === STAR;
    if (lead && trail) test = (t) => fold(t).includes(lit);
    else if (lead) test = (t) => fold(t).endsWith(lit);
    else if (trail) test = (t) => fold(t).startsWith(lit);
    else test = (t) => fold(t) === lit;
  } else test = (t) => matches(fold(t), p);
  return { source: pattern, test };
}
