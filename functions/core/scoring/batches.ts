/**
 * Splits a day's files into batches of at most `maxFiles` files and `maxBytes` stored bytes (a
 * single larger file gets a batch of its own), in listing order. One batch is what one invocation
 * reads, so the limits bound each invocation's time and memory whatever the size of the day.
 */
export function splitIntoBatches<T extends { size: number }>(files: readonly T[], maxFiles: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + f.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
