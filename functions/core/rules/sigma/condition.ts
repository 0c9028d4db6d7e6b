import { wildcard } from "../wildcard";

/** A Sigma condition after parsing: selections combined with and, or, not (`1 of` / `all of` resolved to their selections). */
export type Condition =
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition }
  | { ref: string };

/** A condition that cannot be used, with what Sigma feature it is. */
export class ConditionError extends Error {
  override name = "ConditionError";
}

/** Longest condition accepted, and deepest nesting of parentheses and `not`. */
export const MAX_CONDITION_CHARS = 4096;
const MAX_DEPTH = 64;

type Token = { t: "(" | ")" | "and" | "or" | "not" | "of-any" | "of-all" | "them" | "id"; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\()|(\))|(\|)|([A-Za-z0-9_*?.-]+))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new ConditionError(`unexpected "${text.slice(pos).trim().slice(0, 20)}" at character ${pos + 1}`);
    pos = re.lastIndex;
    if (m[1]) out.push({ t: "(", v: "(" });
    else if (m[2]) out.push({ t: ")", v: ")" });
    else if (m[3]) throw new ConditionError("aggregations (`| count() ...`, `| near ...`) are not supported: trailwatch evaluates one event at a time (threshold rules count over time)");
    else {
      const w = m[4]!;
      const lw = w.toLowerCase();
      if (lw === "and" || lw === "or" || lw === "not" || lw === "them") out.push({ t: lw, v: w });
      else if (lw === "near") throw new ConditionError("`near` is not supported: trailwatch evaluates one event at a time");
      else if (lw === "of") {
        const prev = out.pop();
        const q = prev?.v.toLowerCase();
        if (!prev || prev.t !== "id" || (q !== "1" && q !== "all" && q !== "any")) {
          throw new ConditionError(`"${prev?.v ?? ""} of": only "1 of", "any of" and "all of" are Sigma conditions`);
        }
        out.push({ t: q === "all" ? "of-all" : "of-any", v: `${prev.v} of` });
      } else out.push({ t: "id", v: w });
    }
  }
  return out;
}

/**
 * Parses a Sigma condition (`selection and not filter`, `1 of sel_*`, `all of them`, parentheses)
 * against the detection's selection names: `not` binds tightest, then `and`, then `or`. `them`
 * means every selection whose name does not start with `_`. Throws {@link ConditionError} naming
 * what is wrong or unsupported.
 */
export function parseCondition(text: string, selections: readonly string[]): Condition {
  if (text.length > MAX_CONDITION_CHARS) throw new ConditionError(`is ${text.length} characters long; at most ${MAX_CONDITION_CHARS}`);
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ConditionError("is empty");
  let i = 0;
  const peek = () => tokens[i];
  const expect = (what: string) => {
    const t = tokens[i];
    throw new ConditionError(t ? `expected ${what} but found "${t.v}"` : `expected ${what} at the end`);
  };
  const names = (pattern: string): string[] => {
    const w = wildcard(pattern, { ignoreCase: false });
    const found = selections.filter((s) => w.test(s));
    if (found.length === 0) throw new ConditionError(`"${pattern}" names no selection (selections: ${selections.join(", ")})`);
    return found;
  };

  const or = (depth: number): Condition => {
    const parts = [and(depth)];
    while (peek()?.t === "or") {
      i++;
      parts.push(and(depth));
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };
  const and = (depth: number): Condition => {
    const parts = [unary(depth)];
    while (peek()?.t === "and") {
      i++;
      parts.push(unary(depth));
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const unary = (depth: number): Condition => {
    if (depth > MAX_DEPTH) throw new ConditionError(`nests deeper than ${MAX_DEPTH} levels`);
    const t = peek();
    if (!t) return expect("a selection, not, 1 of, all of or (");
    if (t.t === "not") {
      i++;
      return { not: unary(depth + 1) };
    }
    if (t.t === "(") {
      i++;
      const inner = or(depth + 1);
      if (peek()?.t !== ")") expect(")");
      i++;
      return inner;
    }
    if (t.t === "of-any" || t.t === "of-all") {
      i++;
      const target = peek();
      if (!target || (target.t !== "id" && target.t !== "them")) return expect("a selection name, a pattern such as selection_* or them");
      i++;
      const refs = (target.t === "them" ? selections.filter((s) => !s.startsWith("_")) : names(target.v)).map((ref) => ({ ref }));
      if (refs.length === 0) throw new ConditionError(`"${t.v} them": the detection has no selection`);
      return refs.length === 1 ? refs[0]! : t.t === "of-all" ? { and: refs } : { or: refs };
    }
    if (t.t === "id") {
      i++;
      if (/[*?]/.test(t.v)) throw new ConditionError(`"${t.v}": a pattern names selections only after "1 of" or "all of"`);
      if (!selections.includes(t.v)) throw new ConditionError(`"${t.v}" is not a selection of the detection (selections: ${selections.join(", ")})`);
      return { ref: t.v };
    }
    return expect("a selection, not, 1 of, all of or (");
  };

  const c = or(0);
  if (i < tokens.length) expect("and, or, or the end");
  return c;
}

/** The selections a condition uses. */
export function referenced(c: Condition, out = new Set<string>()): Set<string> {
  if ("ref" in c) out.add(c.ref);
  else if ("not" in c) referenced(c.not, out);
  else for (const p of "and" in c ? c.and : c.or) referenced(p, out);
  return out;
}
