import { formatBytes, READ_LIMITS, type RecordLimits } from "./limits";

/**
 * Why a parsed record is too big or too deep to hand to rules, or undefined when it is within the
 * limits. Walks the value without recursion and stops as soon as a limit is crossed, so a hostile
 * record costs at most the limit, never its own size. The size is the length the record has as
 * compact JSON (strings counted without escapes, numbers as 8 characters: an estimate that never
 * undercounts a record's strings).
 *
 * The decoder already refuses such records wherever it reads a file's text record by record (the
 * careful path for damaged or unusual files); whole-document parsing, the fast path, only measures
 * record sizes. This check runs where a record's values start to matter: before the first rule sees it.
 */
export function recordBoundsProblem(value: unknown, limits: Pick<RecordLimits, "maxRecordBytes" | "maxRecordDepth"> = READ_LIMITS): string | undefined {
  const { maxRecordBytes, maxRecordDepth } = limits;
  let size = 0;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop();
    const d = depths.pop()!;
    if (typeof v === "string") size += v.length + 2;
    else if (typeof v === "number") size += 8;
    else if (typeof v === "boolean" || v === null || v === undefined) size += 5;
    else if (typeof v === "object") {
      if (d > maxRecordDepth) return `nested deeper than ${maxRecordDepth} levels (the limit for one record)`;
      size += 2;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          stack.push(v[i]);
          depths.push(d + 1);
          size += 1;
        }
      } else {
        for (const k in v) {
          size += k.length + 4;
          stack.push((v as Record<string, unknown>)[k]);
          depths.push(d + 1);
        }
      }
    }
    if (size > maxRecordBytes) return `record is more than ${formatBytes(maxRecordBytes)} (the limit for one record)`;
  }
  return undefined;
}
