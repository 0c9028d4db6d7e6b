import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { DuckDBInstance, listValue, type DuckDBConnection } from "@duckdb/node-api";
import { activityStatement, excludedFilesFilter, pathRangeFilter, type ActivityStatement, type EventSource } from "../../core/anomaly/activity-sql";
import { activityFromRow, type ObservedActivity } from "../../core/anomaly/activity";
import type { AnomalyActivityQuery, SkippedFile } from "../../core/anomaly/discern";
import { accountLogPrefix, parseLogFileName, type LogLayout } from "../../core/aws/cloudtrail-keys";
import { ACCOUNT_ID, ORGANIZATION_ID, REGION } from "../../core/aws/identifiers";
import { pathRanges, scanPlan, stampInPlan, type PathRange, type ScanPlan } from "../../core/anomaly/scan-plan";
import { MAX_FILE_TEXT_BYTES } from "../../core/record/limits";

/** One account's logs under one local root (the folder that holds `AWSLogs/`). */
export interface LocalAccountLogs {
  account: string;
  root: string;
  layout: LogLayout;
}

/** Files and bytes one query touched (the same pruning DuckDB applies, counted on disk). */
export interface ScanStats {
  folders: number;
  filesInFolders: number;
  bytesInFolders: number;
  filesRead: number;
  bytesRead: number;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds the accounts under local paths laid out like a CloudTrail bucket. A path may be the folder
 * holding `AWSLogs/`, `AWSLogs/` itself, or an organization folder `AWSLogs/o-xxxx`. Throws, naming
 * the path, when none of these is found.
 */
export async function discoverAccounts(paths: readonly string[]): Promise<LocalAccountLogs[]> {
  const out: LocalAccountLogs[] = [];
  for (const raw of paths) {
    const p = resolve(raw);
    let root: string;
    let only: string | undefined;
    if (basename(p) === "AWSLogs") root = dirname(p);
    else if (ORGANIZATION_ID.test(basename(p)) && basename(dirname(p)) === "AWSLogs") {
      root = dirname(dirname(p));
      only = basename(p);
    } else if (await isDir(join(p, "AWSLogs"))) root = p;
    else throw new Error(`${raw}: no AWSLogs/ folder here (expected the folder that holds AWSLogs/, or AWSLogs/ itself)`);
    const awsLogs = join(root, "AWSLogs");
    for (const name of (await readdir(awsLogs)).sort()) {
      if (only && name !== only) continue;
      if (ACCOUNT_ID.test(name) && (await isDir(join(awsLogs, name, "CloudTrail")))) out.push({ account: name, root, layout: { type: "account" } });
      else if (ORGANIZATION_ID.test(name)) {
        for (const acct of (await readdir(join(awsLogs, name))).sort()) {
          if (ACCOUNT_ID.test(acct) && (await isDir(join(awsLogs, name, acct, "CloudTrail")))) out.push({ account: acct, root, layout: { type: "organization", organizationId: name } });
        }
      }
    }
  }
  return out;
}

/** read_json's view of a CloudTrail file: only the fields the activity query uses. */
const RECORDS_TYPE =
  "STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, readOnly VARCHAR, " +
  "userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR, userName VARCHAR, identityProvider VARCHAR, " +
  "sessionContext STRUCT(sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR)), " +
  "onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR)))[]";

/**
 * The DuckDB source for a plan: read_json over the plan's day folders (the local stand-in for
 * partition projection), pruned by the same path ranges Athena applies to `"$path"`, minus the files
 * known to be damaged. One JSON value may be at most {@link MAX_FILE_TEXT_BYTES} (a decompression bomb
 * stops there with an error naming its file, which is then excluded).
 */
export function duckdbEventSource(globs: readonly string[], ranges: readonly PathRange[], excluded: readonly string[] = []): EventSource {
  const filter = pathRangeFilter("filename", ranges);
  const skip = excludedFilesFilter("filename", excluded);
  return {
    sql: `SELECT r.userIdentity AS useridentity, r.eventSource AS eventsource, r.eventName AS eventname,
  r.eventTime AS eventtime, r.readOnly AS readonly, r.awsRegion AS awsregion
FROM (
  SELECT unnest(Records) AS r
  FROM read_json(?, columns = {Records: '${RECORDS_TYPE}'}, format = 'unstructured', records = true, filename = true, maximum_object_size = ${MAX_FILE_TEXT_BYTES})
  WHERE ${filter.sql}${skip.sql}
) AS files`,
    params: [listValue([...globs]), ...filter.params, ...skip.params],
  };
}

export type { SkippedFile };

/** Damaged files one query may exclude, one rerun each, before the window is given up as failed. */
const MAX_DAMAGED_FILES_PER_QUERY = 50;

/**
 * The file a DuckDB error names, when it is one of `folders`' log files. DuckDB names the file in
 * its read errors (`Malformed JSON in file "<path>", at byte ...`, `Input is not a GZIP stream: <path>`).
 */
export function damagedFileIn(message: string, folders: readonly string[]): string | undefined {
  for (const folder of folders) {
    for (let k = message.indexOf(folder + "/"); k >= 0; k = message.indexOf(folder + "/", k + 1)) {
      const m = /^[^"\n]*?\.json\.gz/.exec(message.slice(k));
      if (m && dirname(m[0]) === folder) return m[0];
    }
  }
  return undefined;
}

/** DuckDB's reason without the file path (the report names the file separately). */
function reasonOf(message: string, file: string): string {
  return message.split(file).join("the file").replace(/ in file "the file"/, "").replace(/:\s*the file\s*$/, "").replace(/^(Invalid Input|IO) Error: /, "").trim();
}

/**
 * The local stand-in for Athena: runs the shared activity statement with DuckDB over local log
 * folders. Regions are found by listing the account's folder (as discernment lists S3), the date
 * folders come from the scan plan, and files outside the plan's delivery range are never opened. A
 * damaged file in the range (cut off, not gzip, broken JSON, over the size limit) does not fail the
 * window: DuckDB names it in its error, the query runs again without it, and the file is reported in
 * `lastSkipped` and `damaged` (DuckDB cannot read past the damage, so none of its records are used).
 */
export class DuckDbActivityQuery implements AnomalyActivityQuery {
  /** Files and bytes of the last query (for benchmarks and the replay summary). */
  lastStats: ScanStats = { folders: 0, filesInFolders: 0, bytesInFolders: 0, filesRead: 0, bytesRead: 0 };
  /** The last statement run (tests compare it with Athena's). */
  lastStatement?: ActivityStatement;
  /** Damaged files the last query left out. */
  lastSkipped: SkippedFile[] = [];
  /** Every file found damaged so far, with DuckDB's reason; later queries leave them out from the start. */
  readonly damaged = new Map<string, string>();
  /** Folder listings for the file counts, reused while the folder is unchanged (hourly runs revisit a day's folders). */
  private readonly listings = new Map<string, Listing>();

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly instance: DuckDBInstance,
    private readonly sources: readonly LocalAccountLogs[],
    private readonly opts: { deliveryPadMinutes?: number; includeServicePrincipals?: boolean; countFiles?: boolean },
  ) {}

  static async create(sources: readonly LocalAccountLogs[], opts: { deliveryPadMinutes?: number; includeServicePrincipals?: boolean; countFiles?: boolean } = {}): Promise<DuckDbActivityQuery> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const conn = await instance.connect();
    return new DuckDbActivityQuery(conn, instance, sources, opts);
  }

  /** The plan this adapter would use for a window (same options as the query). */
  plan(account: string, from: Date, to: Date): ScanPlan {
    return scanPlan(account, { from: from.toISOString(), to: to.toISOString() }, { deliveryPadMinutes: this.opts.deliveryPadMinutes });
  }

  async distinctActivity(q: { account: string; from: Date; to: Date; regions?: string[] }): Promise<ObservedActivity[]> {
    const plan = this.plan(q.account, q.from, q.to);
    const globs: string[] = [];
    const ranges: PathRange[] = [];
    const folders: string[] = [];
    for (const src of this.sources.filter((s) => s.account === q.account)) {
      const base = src.root.endsWith("/") ? src.root : src.root + "/";
      const accountDir = join(src.root, accountLogPrefix(src.layout, q.account));
      const regions = q.regions ?? (await readdir(accountDir).catch(() => [] as string[])).filter((r) => REGION.test(r)).sort();
      for (const r of pathRanges(plan, base, src.layout, regions)) {
        const folder = r.lo.slice(0, r.lo.lastIndexOf("/"));
        if (await isDir(folder)) {
          globs.push(`${folder}/*.json.gz`);
          ranges.push(r);
          folders.push(folder);
        }
      }
    }
    this.lastStats = this.opts.countFiles === false ? emptyStats(folders.length) : await countFiles(folders, plan, this.listings);
    this.lastSkipped = [];
    if (globs.length === 0) return [];
    // Files found damaged by an earlier query are left out from the start (hourly windows overlap).
    const excluded = [...this.damaged.keys()].filter((f) => folders.includes(dirname(f)));
    let reader;
    for (;;) {
      const stmt = activityStatement("duckdb", duckdbEventSource(globs, ranges, excluded), plan, { includeServicePrincipals: this.opts.includeServicePrincipals });
      this.lastStatement = stmt;
      try {
        reader = await this.conn.runAndReadAll(stmt.sql, stmt.params as never);
        break;
      } catch (e) {
        const message = (e as Error).message.split("\n")[0]!;
        const file = damagedFileIn(message, folders);
        if (!file || excluded.includes(file) || excluded.length >= MAX_DAMAGED_FILES_PER_QUERY) {
          throw new Error(`DuckDB activity query for ${q.account} (${plan.window.from} .. ${plan.window.to}) failed: ${message}`);
        }
        // One damaged file must not cost the whole account window: leave it out, report it, run again.
        this.damaged.set(file, reasonOf(message, file));
        excluded.push(file);
      }
    }
    this.lastSkipped = excluded.map((file) => ({ file, reason: this.damaged.get(file)! }));
    return reader.getRowObjectsJS().map((row) => activityFromRow(q.account, row as Record<string, unknown>));
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function emptyStats(folders: number): ScanStats {
  return { folders, filesInFolders: 0, bytesInFolders: 0, filesRead: 0, bytesRead: 0 };
}

interface Listing {
  mtimeMs: number;
  files: { stamp: string | undefined; size: number }[];
}

async function listFolder(folder: string, cache: Map<string, Listing>): Promise<Listing> {
  const mtimeMs = (await stat(folder)).mtimeMs;
  const hit = cache.get(folder);
  if (hit && hit.mtimeMs === mtimeMs) return hit;
  const files: Listing["files"] = [];
  for (const name of await readdir(folder)) {
    if (!name.endsWith(".json.gz")) continue;
    files.push({ stamp: parseLogFileName(`${folder}/${name}`)?.stamp, size: (await stat(join(folder, name))).size });
  }
  const listing = { mtimeMs, files };
  cache.set(folder, listing);
  return listing;
}

async function countFiles(folders: readonly string[], plan: ScanPlan, cache: Map<string, Listing>): Promise<ScanStats> {
  const s = emptyStats(folders.length);
  for (const folder of folders) {
    for (const f of (await listFolder(folder, cache)).files) {
      s.filesInFolders++;
      s.bytesInFolders += f.size;
      if (f.stamp && stampInPlan(plan, f.stamp)) {
        s.filesRead++;
        s.bytesRead += f.size;
      }
    }
  }
  if (cache.size > 512) cache.clear();
  return s;
}
