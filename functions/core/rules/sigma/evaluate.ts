import { cidr } from "../cidr";
import { wildcard } from "../wildcard";
import type { Condition } from "./condition";
import { linearRegex } from "./linear-regex";
import type { FieldTest, SigmaSpec } from "./spec";

/**
 * How a field's values are read from a record: a dotted path walks objects, and a list on the way
 * (or at the end) stands for each of its elements, so `requestParameters.containerDefinitions.command`
 * reads the command of every container. Bounded, since records are hostile.
 */
export const FIELD_LIMITS = {
  /** Values one path yields at most (the first ones in document order). */
  values: 256,
  /** Characters of a value compared with a wildcard pattern (objects and lists are compared as their JSON text). */
  chars: 65_536,
} as const;

type Leaf = string | number | boolean | null | object;

/** The values at a path: `undefined` entries are not returned (an absent field yields none). */
export function fieldValues(record: unknown, path: readonly string[]): Leaf[] {
  const out: Leaf[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (out.length >= FIELD_LIMITS.values || v === undefined) return;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (out.length >= FIELD_LIMITS.values) return;
        walk(x, depth);
      }
      return;
    }
    if (depth === path.length) {
      out.push(v);
      return;
    }
    if (v !== null && typeof v === "object" && Object.prototype.hasOwnProperty.call(v, path[depth]!)) walk((v as Record<string, unknown>)[path[depth]!], depth + 1);
  };
  walk(record, 0);
  return out;
}

const jsonText = new WeakMap<object, string>();

/** A value as the text patterns compare: strings as they are, numbers and booleans written out, objects and lists as JSON. */
function textOf(v: Leaf): string {
  if (typeof v === "string") return v.length > FIELD_LIMITS.chars ? v.slice(0, FIELD_LIMITS.chars) : v;
  if (typeof v !== "object" || v === null) return String(v);
  let t = jsonText.get(v);
  if (t === undefined) {
    try {
      t = JSON.stringify(v).slice(0, FIELD_LIMITS.chars);
    } catch {
      t = "";
    }
    jsonText.set(v, t);
  }
  return t;
}

/** The test of one value of a field test. */
function valueTest(t: FieldTest, v: string | number | boolean | null): (text: string) => boolean {
  const s = String(v);
  const ignoreCase = !t.cased;
  switch (t.op) {
    case "contains":
      return wildcard(`*${s}*`, { ignoreCase, escapes: true }).test;
    case "startswith":
      return wildcard(`${s}*`, { ignoreCase, escapes: true }).test;
    case "endswith":
      return wildcard(`*${s}`, { ignoreCase, escapes: true }).test;
    case "re":
      return linearRegex(s, t.flags).test;
    case "cidr":
      return cidr(s).test;
    default:
      return wildcard(s, { ignoreCase, escapes: true }).test;
  }
}

/** A field test compiled: true when the record's values at the path pass it. */
function fieldMatcher(t: FieldTest): (record: unknown) => boolean {
  if (t.op === "exists") {
    const want = t.values[0] === true;
    return (r) => fieldValues(r, t.path).some((v) => v !== null) === want;
  }
  const wantsNull = t.values.includes(null);
  const tests = t.values.filter((v): v is string | number | boolean => v !== null).map((v) => valueTest(t, v));
  return (r) => {
    const values = fieldValues(r, t.path);
    const present = values.filter((v): v is Exclude<Leaf, null> => v !== null);
    const isNull = present.length === 0;
    if (!t.all) {
      if (wantsNull && isNull) return true;
      if (present.length === 0) return false;
      const texts = present.map(textOf);
      return tests.some((test) => texts.some(test));
    }
    if (wantsNull && !isNull) return false;
    if (tests.length === 0) return isNull;
    const texts = present.map(textOf);
    return tests.every((test) => texts.some(test));
  };
}

/** The matcher of a compiled Sigma rule: evaluates its condition on a record (each selection at most once). */
export function sigmaMatcher(spec: SigmaSpec): (record: unknown) => boolean {
  const selections = new Map(
    Object.entries(spec.selections).map(([name, sel]) => {
      const maps = sel.anyOf.map((tests) => tests.map(fieldMatcher));
      return [name, (r: unknown) => maps.some((m) => m.every((test) => test(r)))] as const;
    }),
  );
  const compile = (c: Condition): ((r: unknown, seen: Map<string, boolean>) => boolean) => {
    if ("ref" in c) {
      const sel = selections.get(c.ref)!;
      return (r, seen) => {
        let v = seen.get(c.ref);
        if (v === undefined) seen.set(c.ref, (v = sel(r)));
        return v;
      };
    }
    if ("not" in c) {
      const inner = compile(c.not);
      return (r, seen) => !inner(r, seen);
    }
    const parts = ("and" in c ? c.and : c.or).map(compile);
    return "and" in c ? (r, seen) => parts.every((p) => p(r, seen)) : (r, seen) => parts.some((p) => p(r, seen));
  };
  const root = compile(spec.condition);
  return (record) => root(record, new Map());
}
