import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type GetQueryResultsCommandOutput,
} from "@aws-sdk/client-athena";
import { activityStatement, excludedFilesFilter, pathRangeFilter, type ActivityStatement, type EventSource } from "../../core/anomaly/activity-sql";
import { activityFromRow, type ObservedActivity } from "../../core/anomaly/activity";
import type { AnomalyActivityQuery, SkippedFile } from "../../core/anomaly/discern";
import { accountLogPrefix, KEY_PREFIX, type LogLayout } from "../../core/aws/cloudtrail-keys";
import { BUCKET_NAME, REGION, requireMatch } from "../../core/aws/identifiers";
import { pathRanges, scanPlan, type ScanPlan } from "../../core/anomaly/scan-plan";
import type { RegionLister } from "./athena-regions";
import { isThrottlingAwsError } from "./aws-error";
import { withRetries } from "./retry";

/** Names of the Glue database and table (deployment constants, never message values). */
const IDENTIFIER = /^[a-z0-9_]{1,255}$/;

export interface AthenaActivityOptions {
  workGroup: string;
  database: string;
  table: string;
  /** Where the trail writes: bucket, key prefix before `AWSLogs/`, layout. */
  bucket: string;
  keyPrefix?: string;
  layout: LogLayout;
  /** Regions to read: a fixed list, or found per account by listing S3 (see S3RegionLister). */
  regions: readonly string[] | RegionLister;
  deliveryPadMinutes?: number;
  includeServicePrincipals?: boolean;
  /** Attempts to start a query while Athena throttles (TooManyRequestsException), default 6. */
  startAttempts?: number;
  /** Base of the exponential backoff with full jitter, ms (default 250). */
  backoffMs?: number;
  /** First and longest pause between status checks, ms (defaults 500 and 5000). */
  pollMs?: number;
  maxPollMs?: number;
  /** Give up (and stop the query) after this long, ms (default 240000; keep it under the Lambda timeout). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A query that failed, was cancelled or timed out: the run ends with this error (retry, then DLQ). */
export class AthenaQueryError extends Error {
  override name = "AthenaQueryError";
  constructor(message: string, readonly queryExecutionId?: string, readonly state?: string, readonly reason?: string) {
    super(message);
  }
}

/** Damaged files one query may leave out, one more query each, before the window is given up as failed. */
const MAX_DAMAGED_FILES_PER_QUERY = 5;

/**
 * The log object an Athena error names (`... at location 's3://bucket/key' ...`, `(Path: s3://...)`),
 * when it lies under `prefix` (the account's log folder) and is a log file; undefined otherwise. The
 * name comes from Athena, but is only ever used as a query parameter.
 */
export function damagedObjectIn(message: string, prefix: string): string | undefined {
  for (const m of message.matchAll(/s3:\/\/[^\s'"(),;]+?\.json\.gz/g)) {
    if (m[0].startsWith(prefix) && !m[0].includes("/../")) return m[0];
  }
  return undefined;
}


/** Athena takes execution parameters as SQL literals: strings go in single quotes, quotes doubled. */
export function athenaLiteral(v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string") throw new TypeError(`unsupported Athena parameter ${String(v)}`);
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * The Athena source for a plan: the Glue table (partition projection: account and region
 * injected, date projected), restricted to the plan's partitions and to the path ranges of the
 * delivery minutes it needs. A range on `"$path"` is a predicate on the file itself, so Athena
 * skips the other files of those folders without opening them.
 */
export function athenaEventSource(database: string, table: string, plan: ScanPlan, regions: readonly string[], bucket: string, layout: LogLayout, keyPrefix = "", excluded: readonly string[] = []): EventSource {
  requireMatch("Glue database", database, IDENTIFIER);
  requireMatch("Glue table", table, IDENTIFIER);
  requireMatch("bucket", bucket, BUCKET_NAME);
  requireMatch("key prefix", keyPrefix, KEY_PREFIX);
  for (const r of regions) requireMatch("region", r, REGION);
  const ranges = pathRanges(plan, `s3://${bucket}/`, layout, regions, keyPrefix);
  const paths = pathRangeFilter('"$path"', ranges);
  const skip = excludedFilesFilter('"$path"', excluded);
  return {
    sql: `SELECT useridentity, eventsource, eventname, eventtime, readonly, awsregion
FROM "${database}"."${table}"
WHERE account = ?
  AND region IN (${regions.map(() => "?").join(", ")})
  AND "date" IN (${plan.days.map(() => "?").join(", ")})
  AND ${paths.sql}${skip.sql}`,
    params: [plan.account, ...regions, ...plan.days, ...paths.params, ...skip.params],
  };
}

/**
 * The activity query on Athena. One query per account and window; the statement and its values
 * travel separately (`ExecutionParameters`). Starting is retried on throttling with exponential
 * backoff and full jitter, a bounded number of times; the status is polled with a growing pause
 * until a deadline, then the query is stopped. Every failure ends in an `AthenaQueryError`
 * naming the query: the run fails, Lambda retries it, and then it lands in the DLQ.
 */
export class AthenaActivityQuery implements AnomalyActivityQuery {
  lastStatement?: ActivityStatement;
  /** Damaged files the last query left out (named by Athena's error), with Athena's reason. */
  lastSkipped: SkippedFile[] = [];
  lastQueryExecutionId?: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly athena: AthenaClient, private readonly o: AthenaActivityOptions) {
    requireMatch("Glue database", o.database, IDENTIFIER);
    requireMatch("Glue table", o.table, IDENTIFIER);
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = o.now ?? Date.now;
  }

  async distinctActivity(q: { account: string; from: Date; to: Date; regions?: string[] }): Promise<ObservedActivity[]> {
    const plan = scanPlan(q.account, { from: q.from.toISOString(), to: q.to.toISOString() }, { deliveryPadMinutes: this.o.deliveryPadMinutes });
    const regions = q.regions ?? (Array.isArray(this.o.regions) ? [...(this.o.regions as readonly string[])] : await (this.o.regions as RegionLister).regions(q.account));
    if (regions.length === 0) return [];
    const excluded: string[] = [];
    this.lastSkipped = [];
    for (;;) {
      const stmt = activityStatement("athena", athenaEventSource(this.o.database, this.o.table, plan, regions, this.o.bucket, this.o.layout, this.o.keyPrefix, excluded), plan, {
        includeServicePrincipals: this.o.includeServicePrincipals,
      });
      this.lastStatement = stmt;
      const id = await this.start(stmt, q.account);
      this.lastQueryExecutionId = id;
      try {
        await this.wait(id, q.account);
        break;
      } catch (e) {
        // One damaged file must not cost the account's window: when Athena names the file it could
        // not read, run the query again without it and report it.
        if (!(e instanceof AthenaQueryError) || e.state !== "FAILED" || excluded.length >= MAX_DAMAGED_FILES_PER_QUERY) throw e;
        const file = damagedObjectIn(e.message, `s3://${this.o.bucket}/${accountLogPrefix(this.o.layout, q.account, this.o.keyPrefix)}`);
        if (!file || excluded.includes(file)) throw e;
        excluded.push(file);
        this.lastSkipped.push({ file, reason: `Athena could not read it (query ${id}): ${e.reason ?? e.message}`.slice(0, 1000) });
      }
    }
    const rows = await this.results(this.lastQueryExecutionId);
    return rows.map((r) => activityFromRow(q.account, r));
  }

  /** Retries a call while Athena throttles, with the shared backoff. */
  private whileThrottled<T>(call: () => Promise<T>): Promise<T> {
    return withRetries(call, { maxAttempts: this.o.startAttempts ?? 6, retryable: isThrottlingAwsError, baseMs: this.o.backoffMs ?? 250, maxMs: 20_000, sleep: this.sleep });
  }

  private async start(stmt: ActivityStatement, account: string): Promise<string> {
    let res;
    try {
      res = await this.whileThrottled(() =>
        this.athena.send(
          new StartQueryExecutionCommand({
            QueryString: stmt.sql,
            ExecutionParameters: stmt.params.map(athenaLiteral),
            QueryExecutionContext: { Database: this.o.database, Catalog: "AwsDataCatalog" },
            WorkGroup: this.o.workGroup,
          }),
        ),
      );
    } catch (e) {
      if (!isThrottlingAwsError(e)) throw e;
      throw new AthenaQueryError(`Athena kept throttling StartQueryExecution for account ${account} after ${this.o.startAttempts ?? 6} attempts: ${(e as Error).message}`);
    }
    if (!res.QueryExecutionId) throw new AthenaQueryError(`Athena returned no query id for account ${account}`);
    return res.QueryExecutionId;
  }


  private async wait(id: string, account: string): Promise<void> {
    const deadline = this.now() + (this.o.timeoutMs ?? 240_000);
    let pause = this.o.pollMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      let state: string | undefined;
      let reason = "";
      try {
        const res = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
        const st = res.QueryExecution?.Status;
        state = st?.State;
        reason = [st?.StateChangeReason, st?.AthenaError?.ErrorMessage].filter(Boolean).join("; ");
      } catch (e) {
        // A throttled status poll is simply polled again after the pause.
        if (!isThrottlingAwsError(e)) throw e;
      }
      if (state === "SUCCEEDED") return;
      if (state === "FAILED" || state === "CANCELLED") throw new AthenaQueryError(`Athena query ${id} for account ${account} ${state}: ${reason || "no reason given"}`, id, state, reason || undefined);
      if (this.now() + pause > deadline) {
        await this.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new AthenaQueryError(`Athena query ${id} for account ${account} did not finish within ${Math.round((this.o.timeoutMs ?? 240_000) / 1000)} s (last state ${state ?? "unknown"}); stopped it`, id, "TIMEOUT");
      }
      await this.sleep(pause);
      pause = Math.min(this.o.maxPollMs ?? 5000, Math.round(pause * 1.5));
    }
  }

  private async results(id: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let token: string | undefined;
    let columns: string[] | undefined;
    let first = true;
    do {
      const res: GetQueryResultsCommandOutput = await this.whileThrottled(() => this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 })));
      columns ??= res.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Name ?? "");
      if (!columns) throw new AthenaQueryError(`Athena query ${id}: results have no column information`, id);
      const rows = res.ResultSet?.Rows ?? [];
      // The first row of the first page repeats the column names.
      for (const row of first ? rows.slice(1) : rows) {
        const rec: Record<string, unknown> = {};
        columns.forEach((c, i) => (rec[c] = row.Data?.[i]?.VarCharValue ?? null));
        out.push(rec);
      }
      first = false;
      token = res.NextToken;
    } while (token);
    return out;
  }
}
