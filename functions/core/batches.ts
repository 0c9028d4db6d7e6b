/** The limits of one batch: at most `maxItems` items (default: no count limit) and `maxBytes` bytes. */
export interface BatchLimits {
  maxItems?: number;
  maxBytes: number;
}

/**
 * Splits items, in order, into batches within `limits`, bytes counted by `bytesOf`; an item larger
 * than `maxBytes` gets a batch of its own rather than being dropped. One rule for every "send or read
 * in batches" limit: a scoring invocation's files, an SNS PublishBatch, a HEC request body.
 */
export function splitIntoBatches<T>(items: readonly T[], limits: BatchLimits, bytesOf: (item: T) => number): T[][] {
  const maxItems = limits.maxItems ?? Infinity;
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + size > limits.maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
