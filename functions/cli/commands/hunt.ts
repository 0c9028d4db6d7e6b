import { randomBytes } from "node:crypto";
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  ListMapRunsCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type DescribeMapRunCommandOutput,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import type { S3Client } from "@aws-sdk/client-s3";
import Table from "cli-table3";
import type { Alert } from "../../core/alert/alert";
import { isSeverity, severityRank } from "../../core/alert/alert";
import { parseAlert } from "../../core/alert/schema";
import { HUNT_ID, InvalidHuntInputError, parseHuntInput, type HuntInput } from "../../core/hunt/hunt-input";
import { huntKeys } from "../../core/hunt/hunt-keys";
import type { HuntSummary } from "../../core/hunt/summary";
import { catalog } from "../../core/rules/catalog";
import { getObjectText } from "../../adapters/aws/s3-day-reader";
import { STATE } from "../../core/hunt/states";
import { openOutput, writeAlerts, type OutputFormat } from "../output";
import { safeBar, type Progress } from "../progress";
import { cell } from "../terminal";
import { EXIT_ALERTS, EXIT_UNREADABLE, UsageError } from "./scan";

/** The hunt ran but did not complete (failed past its tolerated share, timed out, stopped). */
export const EXIT_HUNT_FAILED = 5;

export interface HuntCommandOptions {
  from?: string;
  to?: string;
  /** Comma-separated rule ids. */
  rules?: string;
  accounts?: string;
  regions?: string;
  minSeverity?: string;
  /** Also publish the alerts to the alert topic (marked retro-hunt). */
  publish?: boolean;
  stateMachine?: string;
  config?: string;
  /** Follow an execution already started (after Ctrl-C, or from the console) instead of starting one. */
  execution?: string;
  name?: string;
  format: OutputFormat;
  output?: string;
  failOn?: string;
  profile?: string;
  progress?: boolean;
  /** Seconds between status requests (default 5). */
  pollSeconds?: string;
}

/** What tests may replace. */
export interface HuntDeps {
  sfn?: SFNClient;
  s3?: S3Client;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const EXECUTION_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);

function csv(flag: string, v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} is empty`);
  return items;
}

/** The execution's input, as the plan step reads it. */
function huntInput(o: HuntCommandOptions): HuntInput {
  if (o.from === undefined) throw new UsageError("--from is required: the start of the window (UTC), e.g. --from 2026-10-01");
  const minSeverity = o.minSeverity;
  if (minSeverity !== undefined && !isSeverity(minSeverity)) throw new UsageError(`--min-severity must be one of info, low, medium, high, critical (got "${cell(minSeverity)}")`);
  const input: HuntInput = { from: o.from, to: o.to ?? new Date().toISOString() };
  const rules = csv("--rules", o.rules);
  const accounts = csv("--accounts", o.accounts);
  const regions = csv("--regions", o.regions);
  if (rules) input.rules = rules;
  if (accounts) input.accounts = accounts;
  if (regions) input.regions = regions;
  if (minSeverity) input.minSeverity = minSeverity;
  if (o.publish) input.publishAlerts = true;
  return input;
}

/** The state machine to start: `--state-machine`, or the one a deployment config deploys. */
async function stateMachineOf(o: HuntCommandOptions): Promise<{ arn: string; maxWindowDays?: number; publishAllowed?: boolean; ruleIds?: Set<string>; disabledRuleIds?: Set<string> }> {
  if (o.stateMachine && o.config) throw new UsageError("give either --state-machine or --config, not both");
  if (o.stateMachine) {
    if (!STATE_MACHINE_ARN.test(o.stateMachine)) throw new UsageError(`--state-machine ${cell(o.stateMachine)} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`);
    return { arn: o.stateMachine };
  }
  if (!o.config) throw new UsageError("say which retro-hunt to start: --state-machine ARN (terraform output retro-hunt-state-machine-arn) or --config FILE (the deployment config)");
  const { loadConfig, ConfigError } = await import("../../../infra/config/load");
  let cfg;
  try {
    cfg = loadConfig(o.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(cell(e.message));
    throw e;
  }
  const hunt = cfg.retroHunt;
  if (!hunt || hunt.enabled !== true) throw new UsageError(`--config ${cell(o.config)} does not deploy retro-hunt (retroHunt.enabled is not true)`);
  const d = cfg.deployment;
  return {
    arn: `arn:${d.partition}:states:${d.homeRegion}:${d.account}:stateMachine:${cfg.namePrefix}-retro-hunt`, maxWindowDays: hunt.maxWindowDays, publishAllowed: hunt.publishAlerts,
    // The rules the deployment runs: the catalog and its own, less those it switches off.
    ruleIds: new Set([...catalog.map((r) => r.id), ...(cfg.rules?.ownRuleIds ?? [])]),
    disabledRuleIds: new Set(cfg.rules?.disabled ?? []),
  };
}

/** The results bucket of a retro-hunt state machine, read from its definition (its Distributed Map's ResultWriter). */
function resultsBucketOf(definition: string | undefined, arn: string): string {
  let def: { States?: Record<string, { ResultWriter?: { Parameters?: { Bucket?: unknown } } }> };
  try {
    def = JSON.parse(definition ?? "") as typeof def;
  } catch {
    def = {};
  }
  const bucket = def.States?.[STATE.scanAll]?.ResultWriter?.Parameters?.Bucket;
  if (typeof bucket !== "string") throw new UsageError(`${cell(arn)} is not a trailwatch retro-hunt state machine (no "${STATE.scanAll}" Distributed Map writing results)`);
  return bucket;
}

/** A progress bar of the map run: files scanned of the manifest. */
function huntProgress(enabled: boolean): { update(counts: MapCounts | undefined, status: string): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} };
  let bar: Progress | undefined;
  let lastTotal = 0;
  let listingLine = false;
  return {
    update(c, status) {
      if (!c) {
        // Before the map run exists the plan step is listing: one line, rewritten in place.
        process.stderr.write(`\x1b[2K\rtrailwatch: hunt ${cell(status.toLowerCase())}: listing the window's log files...`);
        listingLine = true;
        return;
      }
      if (listingLine) process.stderr.write("\x1b[2K\r");
      listingLine = false;
      if (!bar || c.total !== lastTotal) {
        bar?.stop();
        bar = safeBar({ format: "hunt [{bar}] {value}/{total} files | {failed} failed | {running} running | {pending} pending | batches {batches}", etaBuffer: 20 }, Math.max(1, c.total), { failed: 0, running: 0, pending: 0, batches: "" });
        lastTotal = c.total;
      }
      bar.update(c.done, { failed: c.failed, running: c.running, pending: c.pending, batches: `${c.batchesDone}/${c.batches}` });
    },
    stop() {
      if (listingLine) process.stderr.write("\x1b[2K\r");
      bar?.stop();
    },
  };
}

interface MapCounts {
  total: number;
  done: number;
  failed: number;
  running: number;
  pending: number;
  batches: number;
  batchesDone: number;
}

function countsOf(r: DescribeMapRunCommandOutput): MapCounts {
  const i = r.itemCounts;
  const e = r.executionCounts;
  const failed = (i?.failed ?? 0) + (i?.timedOut ?? 0) + (i?.aborted ?? 0);
  return {
    total: i?.total ?? 0,
    done: (i?.succeeded ?? 0) + failed,
    failed,
    running: i?.running ?? 0,
    pending: i?.pending ?? 0,
    batches: e?.total ?? 0,
    batchesDone: (e?.succeeded ?? 0) + (e?.failed ?? 0) + (e?.timedOut ?? 0) + (e?.aborted ?? 0),
  };
}

/** The summary as tables for people: the counts, the alerts by rule, failed batches and problems. */
export function huntSummaryText(s: HuntSummary): string {
  const style = { head: [], border: [] };
  const out: string[] = [];
  const scope = [s.accounts ? `accounts ${s.accounts.join(", ")}` : "every account", s.regions ? `regions ${s.regions.join(", ")}` : "every region", s.rules ? `rules ${s.rules.join(", ")}` : "every rule"];
  const time = (t: string) => cell(t.replace(/\.000Z$/, "Z"));
  out.push(`Hunt ${cell(s.hunt)}: ${s.status}, ${time(s.window.from)} to ${time(s.window.to)}, ${scope.map(cell).join("; ")}`);
  const t = new Table({ head: ["log files listed", "read", "with errors", "skipped", "records", "MB of JSON", "batches", "failed", "pending", "alerts"], style });
  t.push([s.listing.files, s.scan.filesRead, s.scan.filesWithErrors, s.scan.filesSkipped, s.scan.records, (s.scan.bytes / 1e6).toFixed(1), s.batches.total, s.batches.failed, s.batches.pending, s.alerts.total]);
  out.push(t.toString());
  const rules = Object.entries(s.alerts.byRule).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (rules.length > 0) {
    const r = new Table({ head: ["rule", "alerts"], style });
    for (const [rule, n] of rules) r.push([cell(rule), n]);
    out.push(r.toString());
  }
  const suppressed = Object.entries(s.suppressed ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (suppressed.length > 0) {
    // Kept back by the deployment's suppressions: said, never dropped silently.
    const r = new Table({ head: ["rule", "matches suppressed"], style });
    for (const [rule, n] of suppressed) r.push([cell(rule), n]);
    out.push(r.toString());
  }
  if (s.failure) out.push(`The hunt failed: ${cell(s.failure.error)}: ${cell(s.failure.cause)}`);
  if (s.failedItems.length > 0) {
    const f = new Table({ head: ["failed batch", "files", "error", "cause", "first keys"], colWidths: [20, 7, 24, 50, 60], wordWrap: true, wrapOnWordBoundary: false, style });
    for (const b of s.failedItems) f.push([cell(b.batch), b.files, cell(b.error), cell(b.cause), b.keys.map(cell).join("\n")]);
    out.push(`${s.batches.failed} batch(es) failed after retries; their files were not scanned:`, f.toString());
    if (s.moreFailedItems > 0) out.push(`  ... and ${s.moreFailedItems} more (summary.json and the map results list them)`);
  }
  if (s.listing.problems.length > 0) {
    out.push("Could not list:");
    for (const p of s.listing.problems) out.push(`  ${cell(p.file)}: ${cell(p.reason)}`);
    if (s.listing.moreProblems > 0) out.push(`  ... and ${s.listing.moreProblems} more`);
  }
  if (s.fileProblems.length > 0) {
    out.push("Could not read completely (their good records were still scanned):");
    for (const p of s.fileProblems.slice(0, 20)) out.push(`  ${cell(p.file)}: ${cell(p.reason)}`);
    const more = s.fileProblems.length - 20 + s.moreFileProblems;
    if (more > 0) out.push(`  ... and ${more} more (summary.json)`);
  }
  for (const e of s.ruleErrors) out.push(`Rule ${cell(e.rule)} failed on ${e.count} record(s): ${cell(e.first)}`);
  if (s.published) out.push(`Published ${s.published.sent} alert(s) to the alert topic (marked retro-hunt), ${s.published.undeliverable} to the undeliverable-alerts queue`);
  out.push(`Results: ${cell(s.results.summary)}, ${cell(s.results.alerts)}`);
  return out.join("\n");
}

/**
 * `trailwatch hunt --from ... [--to ...] [--rules] [--accounts] [--regions] (--state-machine ARN |
 * --config FILE)`: starts a retro-hunt execution (the input checked here first, with the same code
 * the plan step runs), follows it with a progress bar (DescribeExecution, the map run's item counts),
 * then prints the summary from the results bucket as tables and writes the alerts like `scan`.
 *
 * Exit status: 0 the hunt completed and read everything; 2 some files or batches could not be read;
 * 3 an alert reached `--fail-on`; 5 the hunt failed, timed out or was stopped; 1 bad usage.
 */
export async function runHunt(o: HuntCommandOptions, deps: HuntDeps = {}): Promise<{ code: number; summary?: HuntSummary; alerts: Alert[]; executionArn: string }> {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const failOn = o.failOn;
  if (failOn !== undefined && !isSeverity(failOn)) throw new UsageError(`--fail-on must be one of info, low, medium, high, critical (got "${cell(failOn)}")`);
  const pollMs = o.pollSeconds === undefined ? 5000 : Number(o.pollSeconds) * 1000;
  if (!Number.isFinite(pollMs) || pollMs < 0 || pollMs > 300_000) throw new UsageError(`--poll-seconds must be a number from 0 to 300 (got "${cell(o.pollSeconds)}")`);

  let smArn: string;
  let executionArn: string | undefined;
  let startInput: HuntInput | undefined;
  if (o.execution) {
    const m = EXECUTION_ARN.exec(o.execution);
    if (!m) throw new UsageError(`--execution ${cell(o.execution)} is not a state machine execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)`);
    if (o.from !== undefined || o.stateMachine !== undefined || o.config !== undefined) throw new UsageError("--execution follows a hunt already started: give no --from, --state-machine or --config with it");
    smArn = `arn:${m[1]}:states:${m[2]}:${m[3]}:stateMachine:${m[4]}`;
    executionArn = o.execution;
  } else {
    const sm = await stateMachineOf(o);
    smArn = sm.arn;
    startInput = huntInput(o);
    try {
      // The same checks the plan step makes, so a typo fails here, before anything starts.
      // With only --state-machine the deployment's own rules are not known here: the plan step checks rule ids.
      parseHuntInput(startInput, now(), {
        maxWindowDays: sm.maxWindowDays ?? 3660, publishAllowed: sm.publishAllowed ?? true,
        ...(sm.ruleIds ? { ruleIds: sm.ruleIds } : {}), ...(sm.disabledRuleIds ? { disabledRuleIds: sm.disabledRuleIds } : {}),
      });
    } catch (e) {
      if (e instanceof InvalidHuntInputError) throw new UsageError(cell(e.message.replace(/^invalid hunt input: /, "")));
      throw e;
    }
  }
  const region = STATE_MACHINE_ARN.exec(smArn)![2]!;

  const { cliSfnClient, cliS3Client } = await import("../aws-clients");
  const sfn = deps.sfn ?? cliSfnClient({ profile: o.profile, region });
  const s3 = deps.s3 ?? (await cliS3Client({ profile: o.profile, region }));
  const out = await openOutput(o.output);
  try {
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: smArn }));
    const bucket = resultsBucketOf(described.definition, smArn);
    if (!executionArn) {
      const name = o.name ?? `hunt-${now().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
      if (!HUNT_ID.test(name)) throw new UsageError(`--name ${cell(name)} must be 1-80 letters, digits, "-" or "_"`);
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name, input: JSON.stringify(startInput) }));
      executionArn = started.executionArn!;
      process.stderr.write(`trailwatch: started hunt ${cell(name)} (${cell(executionArn)}); Ctrl-C stops following it, not the hunt: trailwatch hunt --execution <arn> follows it again\n`);
    }

    // Follow the execution: its status, and the map run's item counts once the map has started.
    const bar = huntProgress(o.progress ?? process.stderr.isTTY === true);
    let execution: DescribeExecutionCommandOutput;
    let mapRunArn: string | undefined;
    try {
      for (;;) {
        execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        const status = execution.status ?? "RUNNING";
        if (!mapRunArn) mapRunArn = (await sfn.send(new ListMapRunsCommand({ executionArn, maxResults: 1 }))).mapRuns?.[0]?.mapRunArn;
        bar.update(mapRunArn ? countsOf(await sfn.send(new DescribeMapRunCommand({ mapRunArn }))) : undefined, status);
        if (TERMINAL.has(status)) break;
        await sleep(pollMs);
      }
    } finally {
      bar.stop();
    }

    const name = executionArn.split(":").at(-1)!;
    const keys = huntKeys(name);
    const summaryText = await getObjectText(s3, bucket, keys.summary);
    const status = execution.status!;
    if (summaryText === undefined) {
      // The hunt stopped before its summary (bad input, the listing failed, stopped by hand).
      process.stderr.write(`trailwatch: hunt ${cell(name)} ${status.toLowerCase()} without a summary: ${cell(execution.error ?? "")}: ${cell(execution.cause ?? "")}\n`);
      await out.close();
      return { code: execution.error === "InvalidInput" ? 1 : EXIT_HUNT_FAILED, alerts: [], executionArn };
    }
    const summary = JSON.parse(summaryText) as HuntSummary;
    const alerts: Alert[] = [];
    const text = (await getObjectText(s3, bucket, keys.alerts)) ?? "";
    let unreadable = 0;
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const parsed = parseAlert(JSON.parse(line));
        if (parsed.ok) alerts.push(parsed.alert);
        else unreadable++;
      } catch {
        unreadable++;
      }
    }
    await writeAlerts(alerts, o.format, out);
    await out.close();
    process.stderr.write(`${huntSummaryText(summary)}\n`);
    if (unreadable > 0) process.stderr.write(`trailwatch: ${unreadable} line(s) of ${cell(summary.results.alerts)} are not alerts\n`);
    if (status !== "SUCCEEDED") process.stderr.write(`trailwatch: hunt ${cell(name)} ${status.toLowerCase()}${execution.error ? `: ${cell(execution.error)}` : ""}\n`);

    if (failOn && alerts.some((a) => severityRank(a.severity) >= severityRank(failOn))) return { code: EXIT_ALERTS, summary, alerts, executionArn };
    if (status !== "SUCCEEDED" || summary.status !== "succeeded") return { code: EXIT_HUNT_FAILED, summary, alerts, executionArn };
    const incomplete = summary.batches.failed > 0 || summary.batches.pending > 0 || summary.scan.filesWithErrors > 0 || summary.scan.invalidRecords > 0 || summary.listing.problems.length > 0 || unreadable > 0;
    return { code: incomplete ? EXIT_UNREADABLE : 0, summary, alerts, executionArn };
  } catch (e) {
    await out.close().catch(() => undefined);
    throw e;
  } finally {
    if (!deps.sfn) sfn.destroy();
    if (!deps.s3) s3.destroy();
  }
}
