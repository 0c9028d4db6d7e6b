import type { CloudTrailRecord } from "../record/schema";

/** Reads a nested value by path from a record's requestParameters (or any object); undefined when absent. */
export function dig(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** A request parameter as a string, or undefined. */
export function paramString(r: CloudTrailRecord, ...path: (string | number)[]): string | undefined {
  const v = dig(r.requestParameters, ...path);
  return typeof v === "string" ? v : undefined;
}

/** Wraps a value that AWS writes either as one item or as a list (and `{items:[...]}` in EC2) into an array. */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === "object" && Array.isArray((v as { items?: unknown }).items)) return (v as { items: unknown[] }).items;
  if (typeof v === "object" && Array.isArray((v as { item?: unknown }).item)) return (v as { item: unknown[] }).item;
  return [v];
}

/**
 * Parses a JSON document that CloudTrail may log either as an object or as a (URL-encoded) string,
 * e.g. IAM policy documents. Returns undefined when it is not JSON.
 */
export function jsonDocument(v: unknown): unknown {
  if (v && typeof v === "object") return v;
  if (typeof v !== "string") return undefined;
  for (const text of [v, safeDecode(v)]) {
    if (text === undefined) continue;
    try {
      return JSON.parse(text);
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** Last path segment of an ARN or name ("arn:...:trail/org-trail" -> "org-trail"). */
export function shortName(v: string | undefined): string | undefined {
  if (!v) return v;
  const i = v.lastIndexOf("/");
  return i >= 0 ? v.slice(i + 1) : v;
}

/** Human wording of who acted, with the session for assumed roles. */
export function actor(p: { name: string; session?: string; type: string }): string {
  if (p.type === "AssumedRole" && p.session) return `${p.name} (session ${p.session})`;
  if (p.type === "Root") return "the root user";
  return p.name;
}
