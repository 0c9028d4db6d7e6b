/**
 * Runs `fn` over the items of `source` with up to `concurrency` calls in flight and yields the
 * results in the order of the items, so a run's output does not depend on which call returned
 * first. With `weight`/`maxWeight` it also holds back new calls while the weight of the results
 * in flight or waiting to be taken (e.g. bytes of fetched bodies) is at the limit; one item is
 * always let through, so an item heavier than the limit still runs, alone.
 *
 * `fn` should not throw (return problems as values): a throw ends the iteration with that error.
 */
export async function* orderedMap<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  fn: (item: T) => Promise<R>,
  opts: { concurrency: number; weight?: (item: T) => number; maxWeight?: number },
): AsyncGenerator<R> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const maxWeight = opts.maxWeight ?? Number.POSITIVE_INFINITY;
  const weightOf = opts.weight ?? (() => 0);
  const it = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]());
  const queue: { weight: number; result: Promise<R> }[] = [];
  let weight = 0;
  let done = false;
  let held: T | undefined;
  let hasHeld = false;

  const fill = async () => {
    while (!done && queue.length < concurrency) {
      let item: T;
      if (hasHeld) {
        item = held as T;
      } else {
        const next = await it.next();
        if (next.done) {
          done = true;
          break;
        }
        item = next.value;
      }
      const w = Math.max(0, weightOf(item));
      if (queue.length > 0 && weight + w > maxWeight) {
        // Over the budget: keep the item for when the head has been taken.
        held = item;
        hasHeld = true;
        break;
      }
      hasHeld = false;
      held = undefined;
      weight += w;
      const result = fn(item);
      // A rejection is re-thrown when its turn comes; never left unhandled meanwhile.
      result.catch(() => undefined);
      queue.push({ weight: w, result });
    }
  };

  try {
    await fill();
    while (queue.length > 0) {
      const head = queue.shift()!;
      const value = await head.result;
      weight -= head.weight;
      await fill();
      yield value;
    }
  } finally {
    if (!done) await (it as AsyncIterator<T>).return?.();
  }
}
