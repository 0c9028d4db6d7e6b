import { splitIntoBatches } from "../../functions/core/batches";

const sized = (...sizes: number[]) => sizes.map((size, i) => ({ i, size }));
const ids = (batches: { i: number }[][]) => batches.map((b) => b.map((x) => x.i));

describe("splitting into batches", () => {
  it("keeps order and closes a batch before it would pass the byte limit", () => {
    expect(ids(splitIntoBatches(sized(4, 4, 3, 5, 1), { maxBytes: 8 }, (x) => x.size))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it("closes a batch at the item limit even when bytes are left", () => {
    expect(ids(splitIntoBatches(sized(1, 1, 1, 1, 1), { maxItems: 2, maxBytes: 100 }, (x) => x.size))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it("gives an item larger than the byte limit a batch of its own instead of dropping it", () => {
    expect(ids(splitIntoBatches(sized(2, 50, 2), { maxBytes: 10 }, (x) => x.size))).toEqual([[0], [1], [2]]);
  });

  it("gives no batch for no items", () => {
    expect(splitIntoBatches([], { maxBytes: 10 }, () => 1)).toEqual([]);
  });
});
