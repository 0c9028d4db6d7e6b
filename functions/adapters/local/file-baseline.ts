import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { isLive, type BaselineSnapshot, type BaselineStore, type BaselineWrite, type BaselineWriteStats } from "../../core/anomaly/baseline";
import { ACCOUNT_SK, principalPk, rowOf, snapshotFromRows, type BaselineRow } from "../../core/anomaly/baseline-keys";

/** File name of the local baseline inside the state directory. */
export const BASELINE_FILE = "baseline.ndjson";

/**
 * The baseline in a local NDJSON file (one row a line, the DynamoDB table's key scheme), for
 * `trailwatch replay`. Rows are held in memory; `flush()` writes the file atomically (temporary
 * file, then rename), so an interrupted replay leaves the last flushed state, never half a file.
 * Conditional creates behave like DynamoDB's: a live row is not overwritten.
 */
export class FileBaselineStore implements BaselineStore {
  private readonly rows = new Map<string, Map<string, BaselineRow>>();
  private dirty = false;
  /** Requests a DynamoDB table would have received for the same writes. */
  readonly totals: BaselineWriteStats = { requests: 0, written: 0, raced: 0 };

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, BASELINE_FILE);
    if (!existsSync(file)) return;
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let r: BaselineRow;
      try {
        r = JSON.parse(line) as BaselineRow;
      } catch (e) {
        throw new Error(`${file} line ${i + 1}: not JSON (${(e as Error).message}); fix or remove the line`);
      }
      if (typeof r.pk !== "string" || typeof r.sk !== "string" || typeof r.firstSeen !== "string" || typeof r.expiresAt !== "number") {
        throw new Error(`${file} line ${i + 1}: expected {pk, sk, firstSeen, expiresAt}`);
      }
      this.put(r);
    });
  }

  private put(r: BaselineRow): void {
    const m = this.rows.get(r.pk) ?? new Map<string, BaselineRow>();
    m.set(r.sk, r);
    this.rows.set(r.pk, m);
  }

  async load(account: string, principals: readonly string[]): Promise<BaselineSnapshot> {
    const rows: BaselineRow[] = [];
    const acct = this.rows.get(account)?.get(ACCOUNT_SK);
    if (acct) rows.push(acct);
    for (const p of principals) rows.push(...(this.rows.get(principalPk(account, p))?.values() ?? []));
    return snapshotFromRows(account, rows);
  }

  async apply(account: string, writes: readonly BaselineWrite[], now: Date): Promise<BaselineWriteStats> {
    const nowS = Math.floor(now.getTime() / 1000);
    const stats: BaselineWriteStats = { requests: 0, written: 0, raced: 0 };
    let refreshes = 0;
    for (const w of writes) {
      const row = rowOf(account, w);
      if (w.kind === "create") {
        stats.requests++;
        const existing = this.rows.get(row.pk)?.get(row.sk);
        if (existing && isLive(existing, nowS)) {
          stats.raced++;
          continue;
        }
      } else refreshes++;
      this.put(row);
      stats.written++;
    }
    stats.requests += Math.ceil(refreshes / 25);
    if (stats.written > 0) this.dirty = true;
    this.totals.requests += stats.requests;
    this.totals.written += stats.written;
    this.totals.raced += stats.raced;
    return stats;
  }

  /** Number of rows held (all accounts). */
  get size(): number {
    let n = 0;
    for (const m of this.rows.values()) n += m.size;
    return n;
  }

  /** Writes the file if anything changed since the last flush. */
  flush(): void {
    if (!this.dirty) return;
    const file = join(this.dir, BASELINE_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    const out: string[] = [];
    for (const m of this.rows.values()) for (const r of m.values()) out.push(JSON.stringify(r));
    writeFileSync(tmp, out.join("\n") + (out.length ? "\n" : ""));
    renameSync(tmp, file);
    this.dirty = false;
  }
}
