/**
 * Organization anomaly benchmarks.
 *
 *   npm run bench -- org-anomaly [--accounts 5000] [--units 10] [--latency-ms 20] [--days 7] [--baseline-days 7]
 *
 * 1. muster: an Organization of `--accounts` accounts in `--units` business units (60% by nested OUs,
 *    40% by account tag), every Organizations and SNS call answered after `--latency-ms`. The real
 *    OrganizationsDirectory and SnsFanoutPublisher run against in-process fakes of the two APIs.
 *    Reports SNS PublishBatch calls (target: at most 500 for 5,000 accounts), Organizations calls
 *    and wall time per unit (units run at once, as their schedules would start separate Lambdas).
 * 2. discernment scan: the hourly runs of the last `--days` days of a generated 30-day organization
 *    (5 accounts, organization trail, late deliveries), with the DuckDB engine: files and bytes read
 *    per run against the files delivered in the run's own hour (target: at most 1.5x), against the
 *    day folders a whole-day scan would read, and the Athena statement's path ranges applied to the
 *    same files (the Athena SQL must select exactly what DuckDB read).
 * 3. baseline: the busiest account's hourly runs over `--baseline-days` days against DynamoDB
 *    (dynalite): write requests per run against the distinct (principal, action) tuples seen.
 */
import { readdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, relative } from "node:path";
import type { AddressInfo, Server } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import Table from "cli-table3";
import { generateOrganization, readManifest, type Manifest } from "../generator";
import { BENCH_DIR, machine, type BenchModule } from "./bench";
import { OrganizationsDirectory } from "../../functions/adapters/aws/organizations-directory";
import { SnsFanoutPublisher } from "../../functions/adapters/aws/sns-fanout";
import { athenaEventSource } from "../../functions/adapters/aws/athena-activity";
import { DynamoBaselineStore } from "../../functions/adapters/aws/dynamodb-baseline";
import { DuckDbActivityQuery, discoverAccounts } from "../../functions/adapters/local/duckdb-activity";
import { runMuster } from "../../functions/core/anomaly/muster";
import { musterConfigSchema } from "../../functions/core/anomaly/units";
import { parseLogFileName, type LogLayout } from "../../functions/core/aws/cloudtrail-keys";
import { scanPlan } from "../../functions/core/anomaly/scan-plan";
import { discern } from "../../functions/core/anomaly/discern";
import { parseAnomalySettings } from "../../functions/core/anomaly/settings";
import { hourlyWindows, type QueryWindow } from "../../functions/core/anomaly/window";

interface Options {
  accounts: number;
  units: number;
  latencyMs: number;
  days: number;
  baselineDays: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = { accounts: 5000, units: 10, latencyMs: 20, days: 7, baselineDays: 7 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = Number(args[++i]);
    if (a === "--accounts") o.accounts = v;
    else if (a === "--units") o.units = v;
    else if (a === "--latency-ms") o.latencyMs = v;
    else if (a === "--days") o.days = v;
    else if (a === "--baseline-days") o.baselineDays = v;
    else throw new Error(`org-anomaly bench: unknown argument "${a}" (--accounts N, --units N, --latency-ms N, --days N, --baseline-days N)`);
  }
  for (const [k, v] of Object.entries(o)) if (!Number.isFinite(v) || v < 0 || (k !== "latencyMs" && v < 1)) throw new Error(`org-anomaly bench: --${k} must be a positive number`);
  if (o.days > 29 || o.baselineDays > 29) throw new Error("org-anomaly bench: --days and --baseline-days must be at most 29 (the generated org has 30)");
  return o;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

// ---------------------------------------------------------------------------------------------
// 1. muster

interface FakeAccount { Id: string; Name: string; Email: string; State: string; parent: string; tags: { Key: string; Value: string }[] }

/** An Organization: root -> one OU per unit -> 2 nested OUs -> accounts; 2% of accounts suspended. */
function fakeOrganization(o: Options) {
  const accounts: FakeAccount[] = [];
  const children = new Map<string, string[]>();
  const ouUnits = Math.ceil(o.units * 0.6);
  for (let u = 0; u < o.units; u++) {
    const ou = `ou-root-unit${String(u).padStart(5, "0")}`;
    const nested = [`ou-root-nest${String(u).padStart(3, "0")}a`, `ou-root-nest${String(u).padStart(3, "0")}b`];
    children.set("r-root", [...(children.get("r-root") ?? []), ou]);
    children.set(ou, [nested[0]!]);
    children.set(nested[0]!, [nested[1]!]);
    const per = Math.floor(o.accounts / o.units) + (u < o.accounts % o.units ? 1 : 0);
    for (let i = 0; i < per; i++) {
      const n = accounts.length;
      accounts.push({
        Id: String(100000000000 + n), Name: `acct-${n}`, Email: `aws+${n}@example.com`, State: n % 50 === 7 ? "SUSPENDED" : "ACTIVE",
        parent: [ou, ...nested][i % 3]!, tags: [{ Key: "bu", Value: `unit-${u}` }, { Key: "env", Value: i % 2 ? "prod" : "dev" }],
      });
    }
  }
  const units = Array.from({ length: o.units }, (_, u) =>
    u < ouUnits ? { name: `unit-${u}`, organizationalUnits: [`ou-root-unit${String(u).padStart(5, "0")}`] } : { name: `unit-${u}`, tag: { key: "bu", values: [`unit-${u}`] } },
  );
  return { accounts, children, units };
}

function page<T>(items: T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token ? Number(token) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), next };
}

async function benchMuster(o: Options) {
  const org = fakeOrganization(o);
  const byParent = new Map<string, FakeAccount[]>();
  for (const a of org.accounts) byParent.set(a.parent, [...(byParent.get(a.parent) ?? []), a]);
  const byId = new Map(org.accounts.map((a) => [a.Id, a]));
  const strip = (a: FakeAccount) => ({ Id: a.Id, Name: a.Name, Email: a.Email, State: a.State as never });
  const results: { unit: string; by: string; accounts: number; skipped: number; snsCalls: number; orgCalls: number; ms: number }[] = [];
  const t0 = performance.now();
  await Promise.all(
    org.units.map(async (unit) => {
      let orgCalls = 0;
      let snsCalls = 0;
      const organizations = {
        async send(cmd: { constructor: { name: string }; input: Record<string, string | undefined> }) {
          orgCalls++;
          await sleep(o.latencyMs);
          const i = cmd.input;
          switch (cmd.constructor.name) {
            case "ListAccountsCommand": {
              const p = page(org.accounts, i.NextToken, 20);
              return { Accounts: p.items.map(strip), NextToken: p.next };
            }
            case "ListAccountsForParentCommand": {
              const p = page(byParent.get(i.ParentId!) ?? [], i.NextToken, 20);
              return { Accounts: p.items.map(strip), NextToken: p.next };
            }
            case "ListOrganizationalUnitsForParentCommand": {
              const p = page(org.children.get(i.ParentId!) ?? [], i.NextToken, 20);
              return { OrganizationalUnits: p.items.map((Id) => ({ Id })), NextToken: p.next };
            }
            case "ListTagsForResourceCommand":
              return { Tags: byId.get(i.ResourceId!)!.tags };
            default:
              throw new Error(`fake Organizations: ${cmd.constructor.name}`);
          }
        },
      };
      const sns = {
        async send(cmd: { input: { PublishBatchRequestEntries: { Id: string }[] } }) {
          snsCalls++;
          await sleep(o.latencyMs);
          if (cmd.input.PublishBatchRequestEntries.length > 10) throw new Error("fake SNS: more than 10 entries");
          return { Successful: cmd.input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: e.Id })) };
        },
      };
      const config = musterConfigSchema.parse({ units: org.units });
      const started = performance.now();
      const res = await runMuster(
        { unit: unit.name, scheduledTime: new Date("2026-11-21T00:05:00Z") },
        { config, directory: new OrganizationsDirectory(organizations as never), fanout: new SnsFanoutPublisher(sns as never, "arn:aws:sns:eu-west-1:111122223333:fanout") },
      );
      results.push({ unit: unit.name, by: unit.organizationalUnits ? "OUs" : "tag", accounts: res.accounts, skipped: res.skipped.length, snsCalls, orgCalls, ms: performance.now() - started });
    }),
  );
  return { results: results.sort((a, b) => a.unit.localeCompare(b.unit, "en", { numeric: true })), wallMs: performance.now() - t0 };
}

// ---------------------------------------------------------------------------------------------
// 2. discernment scan

async function dataset(): Promise<{ dir: string; manifest: Manifest }> {
  const dir = join(BENCH_DIR, "org-anomaly-30d");
  const existing = await readManifest(dir).catch(() => undefined);
  if (existing) return { dir, manifest: existing };
  await rm(dir, { recursive: true, force: true });
  process.stderr.write(`org-anomaly bench: generating a 30-day organization in ${dir}, once ...\n`);
  const manifest = await generateOrganization({ outDir: dir, seed: "bench-anomaly", days: 30, endDate: "2026-11-20", layout: "organization" });
  return { dir, manifest };
}

interface FileInfo { key: string; path: string; account: string; stamp: string; size: number }

function listFiles(dir: string): FileInfo[] {
  const out: FileInfo[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json.gz")) {
        const f = parseLogFileName(p);
        if (f) out.push({ key: relative(dir, p), path: p, account: f.account, stamp: f.stamp, size: statSync(p).size });
      }
    }
  };
  walk(join(dir, "AWSLogs"));
  return out;
}

const stampOf = (iso: string) => iso.slice(0, 16).replace(/[-:]/g, "") + "Z";

async function benchScan(o: Options) {
  const { dir, manifest } = await dataset();
  const files = listFiles(dir);
  const sources = await discoverAccounts([dir]);
  const accounts = [...new Set(sources.map((s) => s.account))].sort();
  const layout: LogLayout = { type: "organization", organizationId: manifest.organizationId };
  const q = await DuckDbActivityQuery.create(sources);
  const end = new Date(`${manifest.lastDay}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  const windows = hourlyWindows(new Date(end.getTime() - o.days * 86_400_000), end);
  const t = { runs: 0, ownFiles: 0, ownBytes: 0, readFiles: 0, readBytes: 0, dayFiles: 0, dayBytes: 0, athenaFiles: 0, athenaMismatch: 0, ms: 0, worst: 0 };
  let sample: { sql: string; params: string[] } | undefined;
  for (const w of windows) {
    for (const account of accounts) {
      const hourFrom = stampOf(new Date(Date.parse(w.to) - 3_600_000).toISOString());
      const hourTo = stampOf(w.to);
      const own = files.filter((f) => f.account === account && f.stamp >= hourFrom && f.stamp < hourTo);
      const started = performance.now();
      await q.distinctActivity({ account, from: new Date(w.from), to: new Date(w.to) });
      t.ms += performance.now() - started;
      const s = q.lastStats;
      t.runs++;
      t.ownFiles += own.length;
      t.ownBytes += own.reduce((n, f) => n + f.size, 0);
      t.readFiles += s.filesRead;
      t.readBytes += s.bytesRead;
      t.dayFiles += s.filesInFolders;
      t.dayBytes += s.bytesInFolders;
      if (own.length > 0) t.worst = Math.max(t.worst, s.filesRead / own.length);
      // The Athena statement for the same run: its "$path" ranges applied to the same files as S3 URIs.
      const regions = [...new Set(files.filter((f) => f.account === account).map((f) => parseLogFileName(f.path)!.region))].sort();
      const src = athenaEventSource("trailwatch_org_anomaly", "cloudtrail", scanPlan(account, w), regions, manifest.bucket, layout);
      const ranges = (src.params as string[]).slice(1 + regions.length + scanPlan(account, w).days.length);
      const athenaSelected = files.filter((f) => {
        if (f.account !== account) return false;
        const uri = `s3://${manifest.bucket}/${f.key}`;
        for (let i = 0; i < ranges.length; i += 2) if (uri >= ranges[i]! && uri < ranges[i + 1]!) return true;
        return false;
      }).length;
      t.athenaFiles += athenaSelected;
      if (athenaSelected !== s.filesRead) t.athenaMismatch++;
      if (!sample && account === accounts[0] && w.to.endsWith("T00:00:00.000Z")) sample = { sql: src.sql, params: src.params as string[] };
    }
  }
  q.close();
  return { t, accounts: accounts.length, hours: windows.length, manifest, sample };
}

// ---------------------------------------------------------------------------------------------
// 3. baseline

async function benchBaseline(o: Options) {
  const { dir, manifest } = await dataset();
  const prod = manifest.accounts.find((a) => a.kind === "production")!.id;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require("dynalite") as (opts: { createTableMs: number }) => Server;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  await client.send(new CreateTableCommand({ TableName: "baseline", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }] }));
  const store = new DynamoBaselineStore(client, "baseline");
  const activity = await DuckDbActivityQuery.create(await discoverAccounts([dir]), { countFiles: false });
  const settings = parseAnomalySettings({});
  const end = new Date(`${manifest.lastDay}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  const windows: QueryWindow[] = hourlyWindows(new Date(end.getTime() - o.baselineDays * 86_400_000), end);
  const perRun: { requests: number; tuples: number; newTuples: number }[] = [];
  for (const w of windows) {
    const r = await discern({ account: prod, window: w }, { activity, baseline: store, settings });
    perRun.push({ requests: r.stats.writes.requests, tuples: r.stats.tuples, newTuples: r.stats.newTuples });
  }
  activity.close();
  client.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  const sum = (xs: typeof perRun, k: "requests" | "tuples" | "newTuples") => xs.reduce((n, x) => n + x[k], 0);
  const firstDay = perRun.slice(0, 24);
  const steady = perRun.slice(24);
  return { prod, runs: perRun.length, firstDay: { requests: sum(firstDay, "requests"), tuples: sum(firstDay, "tuples") }, steady: { runs: steady.length, requests: sum(steady, "requests"), tuples: sum(steady, "tuples"), newTuples: sum(steady, "newTuples") } };
}

// ---------------------------------------------------------------------------------------------

export const orgAnomalyBench: BenchModule = {
  name: "org-anomaly",
  description: "muster fan-out calls and time, discernment files/bytes read per hour, baseline write requests",
  async run(args) {
    const o = parseArgs(args);
    process.stdout.write(`\n## org-anomaly (${machine()})\n\n`);

    const m = await benchMuster(o);
    const mt = new Table({ head: ["unit", "selected by", "accounts", "skipped", "SNS PublishBatch", "Organizations calls", "wall s"], style: { head: [], border: [] } });
    for (const r of m.results) mt.push([r.unit, r.by, fmt(r.accounts), r.skipped, fmt(r.snsCalls), fmt(r.orgCalls), fmt(r.ms / 1000, 1)]);
    const sns = m.results.reduce((n, r) => n + r.snsCalls, 0);
    const orgCalls = m.results.reduce((n, r) => n + r.orgCalls, 0);
    mt.push(["all", "", fmt(m.results.reduce((n, r) => n + r.accounts, 0)), m.results.reduce((n, r) => n + r.skipped, 0), fmt(sns), fmt(orgCalls), fmt(m.wallMs / 1000, 1)]);
    process.stdout.write(`muster: ${fmt(o.accounts)} accounts in ${o.units} units, ${o.latencyMs} ms per AWS call (units run at once)\n${mt.toString()}\n`);
    process.stdout.write(`SNS PublishBatch calls: ${sns} (target <= ${Math.ceil(o.accounts / 10)})\n\n`);

    const s = await benchScan(o);
    const r = (a: number, b: number) => (b > 0 ? a / b : 0);
    const st = new Table({ head: ["per hourly run (mean)", "files", "MB (gz)", "x own hour"], style: { head: [], border: [] } });
    st.push(["the hour's own files", fmt(s.t.ownFiles / s.t.runs, 1), fmt(s.t.ownBytes / s.t.runs / 1e6, 3), "1.00"]);
    st.push(["read by the query (DuckDB)", fmt(s.t.readFiles / s.t.runs, 1), fmt(s.t.readBytes / s.t.runs / 1e6, 3), `${fmt(r(s.t.readFiles, s.t.ownFiles), 2)} files, ${fmt(r(s.t.readBytes, s.t.ownBytes), 2)} bytes`]);
    st.push(["selected by the Athena SQL's $path ranges", fmt(s.t.athenaFiles / s.t.runs, 1), "", fmt(r(s.t.athenaFiles, s.t.ownFiles), 2)]);
    st.push(["in the day folders touched (whole-day scan)", fmt(s.t.dayFiles / s.t.runs, 1), fmt(s.t.dayBytes / s.t.runs / 1e6, 3), `${fmt(r(s.t.dayFiles, s.t.ownFiles), 1)} files`]);
    process.stdout.write(
      `discernment scan: ${s.hours} hourly windows x ${s.accounts} accounts = ${s.t.runs} runs over the last ${o.days} days of a 30-day organization ` +
        `(${fmt(s.manifest.counts.files)} files, ${fmt(s.manifest.counts.storedBytes / 1e6, 0)} MB gz, ${s.manifest.counts.lateFiles} late files)\n${st.toString()}\n` +
        `Athena path ranges select exactly DuckDB's files in ${s.t.runs - s.t.athenaMismatch} of ${s.t.runs} runs; DuckDB query time ${fmt(s.t.ms / s.t.runs, 1)} ms per run\n`,
    );
    if (s.sample) process.stdout.write(`\nAthena statement of one run (account ${s.sample.params[0]}, window across midnight), source part:\n${s.sample.sql}\n-- ${s.sample.params.length} execution parameters, e.g. ${s.sample.params.slice(0, 6).map((p) => `'${p}'`).join(", ")}\n\n`);

    const b = await benchBaseline(o);
    const bt = new Table({ head: ["baseline (account " + b.prod + ")", "runs", "tuples seen", "write requests", "requests / tuple"], style: { head: [], border: [] } });
    bt.push(["first day (learning)", 24, fmt(b.firstDay.tuples), fmt(b.firstDay.requests), fmt(r(b.firstDay.requests, b.firstDay.tuples), 3)]);
    bt.push([`next ${o.baselineDays - 1} day(s)`, b.steady.runs, fmt(b.steady.tuples), fmt(b.steady.requests), fmt(r(b.steady.requests, b.steady.tuples), 3)]);
    process.stdout.write(`baseline: DynamoDB (dynalite) write requests per hourly run vs distinct (principal, action) tuples seen\n${bt.toString()}\n` +
      `steady state: ${fmt(b.steady.requests / b.steady.runs, 2)} write requests per run for ${fmt(b.steady.tuples / b.steady.runs, 1)} tuples per run (${b.steady.newTuples} new tuples)\n`);
  },
};

if (require.main === module) {
  orgAnomalyBench.run(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  });
}
