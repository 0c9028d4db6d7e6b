/**
 * The order in which the pool hands out files: the largest first (so no worker is left with one big
 * file at the end), except while too much finished work waits to be merged: results are merged in the
 * order the files were listed, and the first file not yet handed out is the one the waiting results
 * wait for, so it goes next.
 */
export class Schedule {
  private readonly bySize: number[];
  private next = 0;
  private readonly given: boolean[];
  /** Smallest position (in listing order) not yet given. */
  private lowest = 0;

  /** `sizes[i]`: size of file `i` in listing order; files to hand out are those with `todo[i]`. */
  constructor(sizes: readonly number[], todo: readonly boolean[]) {
    this.given = todo.map((t) => !t);
    this.bySize = sizes.map((_, i) => i).filter((i) => todo[i]).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
    this.advanceLowest();
  }

  /** The next file to hand out, or undefined when all were; `backlog`: the merge is falling behind. */
  take(backlog: boolean): number | undefined {
    let i: number | undefined;
    if (backlog && this.lowest < this.given.length) i = this.lowest;
    else {
      while (this.next < this.bySize.length && this.given[this.bySize[this.next]!]) this.next++;
      i = this.bySize[this.next];
    }
    if (i === undefined) return undefined;
    this.given[i] = true;
    this.advanceLowest();
    return i;
  }

  private advanceLowest(): void {
    while (this.lowest < this.given.length && this.given[this.lowest]) this.lowest++;
  }
}
