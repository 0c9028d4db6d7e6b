import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Alert } from "../../core/alert/alert";
import { discern, type DiscernmentStats } from "../../core/anomaly/discern";
import { ACCOUNT_ID } from "../../core/aws/identifiers";
import { parseAnomalySettings, type AnomalySettings } from "../../core/anomaly/settings";
import { hourlyWindows, windowFor, type QueryWindow } from "../../core/anomaly/window";
import { DuckDbActivityQuery, discoverAccounts, type LocalAccountLogs, type SkippedFile } from "../../adapters/local/duckdb-activity";
import { FileBaselineStore } from "../../adapters/local/file-baseline";
import { writeAlerts } from "../output";
import { safeBar } from "../progress";
import { cell } from "../terminal";
import { EXIT_UNREADABLE, UsageError } from "./scan";

export interface ReplayCommandOptions {
  from: string;
  to: string;
  /**
   * Learn the baseline from `from` up to this time in day-long windows without alerting, then run
   * hourly from here to `to`. Backfills weeks of history in a few queries per account (the way a
   * new deployment should start), instead of replaying every hour of it.
   */
  learnUntil?: string;
  state?: string;
  account?: string;
  format?: "table" | "jsonl";
  progress?: boolean;
  /** Print nothing on stderr (tests). */
  quiet?: boolean;
  /** Anomaly settings; default: `ANOMALY_SETTINGS` (JSON, as the deployed discernment reads it) or the defaults. */
  settings?: AnomalySettings;
}

/** What a replay did (returned for tests; the CLI prints it). */
export interface ReplayRun {
  code: number;
  alerts: Alert[];
  hours: number;
  accounts: string[];
  runs: number;
  failures: { account: string; window: string; reason: string }[];
  /** Damaged log files the queries left out (none of their records were used), with DuckDB's reason. */
  skippedFiles: SkippedFile[];
  filesRead: number;
  bytesRead: number;
  filesInFolders: number;
  bytesInFolders: number;
  baselineWriteRequests: number;
  tuplesSeen: number;
  stateDir?: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function parseTime(flag: string, v: string | undefined): Date {
  if (!v || !ISO.test(v) || Number.isNaN(Date.parse(v))) throw new UsageError(`${flag} must be an ISO 8601 time such as 2026-11-20T00:00:00Z (got "${v ?? ""}")`);
  // A bare date or a time without zone means UTC, as CloudTrail does.
  return new Date(/T.*(Z|[+-]\d{2}:\d{2})$/.test(v) ? v : v.includes("T") ? `${v}Z` : `${v}T00:00:00Z`);
}

function settingsFromEnv(): AnomalySettings {
  const raw = process.env.ANOMALY_SETTINGS;
  if (!raw?.trim()) return parseAnomalySettings({});
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`ANOMALY_SETTINGS is not valid JSON (${(e as Error).message})`);
  }
  try {
    return parseAnomalySettings(json, "ANOMALY_SETTINGS");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * `trailwatch replay PATH... --from --to`: runs the hourly discernment hour by hour over local
 * logs, exactly as the deployed functions would have: each hour's window (last hour + 15 min), the
 * same activity SQL on DuckDB over the same file layout, the same baseline rules on a local
 * NDJSON baseline (kept in `--state`, or in a temporary folder removed afterwards). Prints the
 * `anomaly.new-behavior` alerts; a summary goes to stderr.
 */
export async function runReplay(paths: string[], o: ReplayCommandOptions): Promise<number> {
  return (await replay(paths, o)).code;
}

export async function replay(paths: string[], o: ReplayCommandOptions): Promise<ReplayRun> {
  const from = parseTime("--from", o.from);
  const to = parseTime("--to", o.to);
  if (to <= from) throw new UsageError(`--to (${o.to}) must be after --from (${o.from})`);
  const only = o.account ? o.account.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  for (const a of only ?? []) if (!ACCOUNT_ID.test(a)) throw new UsageError(`--account: "${a}" is not a 12-digit account id`);
  const settings = o.settings ?? settingsFromEnv();

  let sources: LocalAccountLogs[];
  try {
    sources = await discoverAccounts(paths);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (only) sources = sources.filter((s) => only.includes(s.account));
  const accounts = [...new Set(sources.map((s) => s.account))].sort();
  if (accounts.length === 0) throw new UsageError(`no account logs found under ${paths.join(", ")}${only ? ` for --account ${only.join(",")}` : ""}`);

  const temporary = !o.state;
  const stateDir = o.state ?? mkdtempSync(join(tmpdir(), "trailwatch-replay-"));
  const store = new FileBaselineStore(stateDir);
  const activity = await DuckDbActivityQuery.create(sources, { deliveryPadMinutes: settings.deliveryPadMinutes, includeServicePrincipals: settings.includeServicePrincipals });
  const learnUntil = o.learnUntil ? parseTime("--learn-until", o.learnUntil) : undefined;
  if (learnUntil && (learnUntil <= from || learnUntil >= to)) throw new UsageError(`--learn-until (${o.learnUntil}) must be between --from and --to`);
  const learning = learnUntil ? dailyWindows(from, learnUntil) : [];
  const windows = [...learning.map((w) => ({ w, learn: true })), ...hourlyWindows(learnUntil ?? from, to).map((w) => ({ w, learn: false }))];

  const total = windows.length * accounts.length;
  const bar = o.progress !== false && process.stderr.isTTY === true && total > 0
    ? safeBar({ format: "replay [{bar}] {percentage}% | {value}/{total} account-hours | {hour} | {alerts} alerts | ETA {eta}s" }, total, { hour: "", alerts: 0 })
    : undefined;

  const run: ReplayRun = { code: 0, alerts: [], hours: windows.length - learning.length, accounts, runs: 0, failures: [], skippedFiles: [], filesRead: 0, bytesRead: 0, filesInFolders: 0, bytesInFolders: 0, baselineWriteRequests: 0, tuplesSeen: 0, stateDir: temporary ? undefined : stateDir };
  try {
    for (const [i, { w: window, learn }] of windows.entries()) {
      for (const account of accounts) {
        try {
          const res = await discern({ account, window }, { activity, baseline: store, settings });
          if (!learn) run.alerts.push(...res.alerts);
          add(run, res.stats);
        } catch (e) {
          run.failures.push({ account, window: `${window.from} .. ${window.to}`, reason: (e as Error).message });
        }
        const s = activity.lastStats;
        run.filesRead += s.filesRead;
        run.bytesRead += s.bytesRead;
        run.filesInFolders += s.filesInFolders;
        run.bytesInFolders += s.bytesInFolders;
        run.runs++;
        bar?.update(run.runs, { hour: window.to.slice(0, 16), alerts: run.alerts.length });
      }
      if (i % 24 === 23) store.flush();
    }
  } finally {
    bar?.stop();
    run.skippedFiles = [...activity.damaged].map(([file, reason]) => ({ file, reason }));
    activity.close();
    store.flush();
    if (temporary) rmSync(stateDir, { recursive: true, force: true });
  }

  await writeAlerts(run.alerts, o.format ?? "table");
  if (!o.quiet) printSummary(run);
  run.code = run.failures.length > 0 || run.skippedFiles.length > 0 ? EXIT_UNREADABLE : 0;
  return run;
}

/** Day-long windows covering [from, to): the learning phase of a replay (no alerts kept). */
function dailyWindows(from: Date, to: Date): QueryWindow[] {
  const out: QueryWindow[] = [];
  const day = 86_400_000;
  for (let end = Math.floor(from.getTime() / day) * day + day; end < to.getTime() + day; end += day) {
    const w = windowFor(new Date(Math.min(end, to.getTime())), { periodMinutes: 24 * 60, overlapMinutes: 15 });
    if (Date.parse(w.to) > Date.parse(out[out.length - 1]?.to ?? "1970-01-01")) out.push(w);
  }
  return out;
}

function add(run: ReplayRun, s: DiscernmentStats): void {
  run.baselineWriteRequests += s.writes.requests;
  run.tuplesSeen += s.tuples;
}

function printSummary(r: ReplayRun): void {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const out = [
    `trailwatch replay: ${r.hours} hour(s) x ${r.accounts.length} account(s) = ${r.runs} run(s); ${r.alerts.length} anomaly alert(s)`,
    `  read ${r.filesRead} file(s), ${mb(r.bytesRead)} MB (of ${r.filesInFolders} files, ${mb(r.bytesInFolders)} MB in the day folders touched); ` +
      `${r.tuplesSeen} (principal, action) tuple(s) seen, ${r.baselineWriteRequests} baseline write request(s)`,
    r.stateDir ? `  baseline kept in ${join(r.stateDir, "baseline.ndjson")}` : "  baseline was temporary (use --state DIR to keep it between replays)",
  ];
  if (r.skippedFiles.length > 0) {
    out.push(`Skipped ${r.skippedFiles.length} damaged file(s); the windows that hold them ran without them:`);
    for (const f of r.skippedFiles.slice(0, 20)) out.push(`  ${f.file}: ${f.reason}`);
    if (r.skippedFiles.length > 20) out.push(`  ... and ${r.skippedFiles.length - 20} more`);
  }
  if (r.failures.length > 0) {
    out.push(`Could not run ${r.failures.length} account-hour(s):`);
    for (const f of r.failures.slice(0, 20)) out.push(`  ${cell(f.account)} ${cell(f.window)}: ${cell(f.reason)}`);
  }
  process.stderr.write(out.join("\n") + "\n");
}
