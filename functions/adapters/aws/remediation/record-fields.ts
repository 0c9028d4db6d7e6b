import type { CloudTrailRecord } from "../../../core/record/schema";

/** A nested value of any object by path; undefined when absent. */
export function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** A request parameter as a non-empty string. */
export function param(r: CloudTrailRecord, name: string): string | undefined {
  const v = r.requestParameters?.[name];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** EC2's `{items: [...]}` lists (or a plain array); `{}` and anything else is empty. */
export function items(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  const list = at(v, "items") ?? at(v, "item");
  return Array.isArray(list) ? list : [];
}

/** Reads the first present key among spellings (EC2 logs camelCase, newer APIs PascalCase). */
export function pick(o: unknown, ...keys: string[]): unknown {
  for (const k of keys) {
    const v = at(o, k);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** A number from a number or numeric string (CloudTrail logs ports both ways). */
export function num(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
}

/** true for `true` and `"true"` (any case). */
export function isTrue(v: unknown): boolean {
  return v === true || (typeof v === "string" && v.trim().toLowerCase() === "true");
}
