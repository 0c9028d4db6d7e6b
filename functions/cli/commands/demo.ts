import { access } from "node:fs/promises";
import { join } from "node:path";
import Table from "cli-table3";
import type { Alert } from "../../core/alert/alert";
import { catalog } from "../../core/rules/catalog";
import { generateOrganization, readManifest, type Manifest, type ManifestAttack } from "../../../scripts/generator";
import { shortPrincipal } from "../../core/record/principal";
import { cell, paint, tableStyle, useColor } from "../terminal";
import { runScan } from "./scan";
import { replay } from "./replay";
import { scoreLocal } from "./score";

/** The demo organization is always the same: a fixed seed and end date make every run identical. */
export const DEMO_SEED = "trailwatch-demo";
export const DEMO_END_DATE = "2026-11-20";

export interface DemoOptions {
  /** Where the demo logs live (generated there when absent). */
  dir: string;
  /** Days of activity to generate (only used when generating). */
  days: number;
}

/** What the steps share. */
interface DemoState {
  dir: string;
  days: number;
  /** The logs under `dir` (`<dir>/AWSLogs`; `manifest.json` sits beside it and is not a log). */
  logs: string;
  manifest?: Manifest;
  alerts?: Alert[];
  /** Exit status of the steps so far; 0 while all went well. */
  code: number;
}

/** One step of the demo; adding a capability to the demo is adding one entry to `STEPS`. */
interface DemoStep {
  name: string;
  run(s: DemoState): Promise<void>;
}

const out = (text: string) => process.stdout.write(text + "\n");
const n = (x: number) => x.toLocaleString("en-US");

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

const generate: DemoStep = {
  name: "generate",
  async run(s) {
    s.manifest = await readManifest(s.dir);
    if (s.manifest) {
      const m = s.manifest;
      process.stderr.write(`trailwatch demo: using the demo organization in ${s.dir} (${m.days} days, ${m.firstDay} .. ${m.lastDay}); delete the folder to generate it again\n`);
      return;
    }
    if (await exists(s.logs)) {
      process.stderr.write(`trailwatch demo: ${s.logs} exists but ${join(s.dir, "manifest.json")} does not (an interrupted generation, or other logs): scanning it as it is; delete ${s.dir} to generate the demo organization\n`);
      return;
    }
    const tty = process.stderr.isTTY === true;
    const t0 = performance.now();
    process.stderr.write(`trailwatch demo: generating the demo organization (${s.days} days of CloudTrail, 5 accounts, 3 regions) into ${s.dir} ...${tty ? "" : "\n"}`);
    s.manifest = await generateOrganization({
      outDir: s.dir, seed: DEMO_SEED, days: s.days, endDate: DEMO_END_DATE, layout: "account",
      onProgress: tty ? (p) => process.stderr.write(`\r\x1b[Ktrailwatch demo: generating: day ${p.day}/${p.days}, ${n(p.records)} records, ${n(p.files)} files`) : undefined,
    });
    const c = s.manifest.counts;
    process.stderr.write(`${tty ? "\r\x1b[K" : ""}trailwatch demo: generated ${n(c.files)} log files (${n(c.records)} records, ${(c.rawBytes / 1e6).toFixed(0)} MB of JSON, ${(c.storedBytes / 1e6).toFixed(1)} MB gzipped) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  },
};

const explain: DemoStep = {
  name: "explain",
  async run(s) {
    const m = s.manifest;
    if (!m) return;
    const accounts = m.accounts.map((a) => `${a.name} ${a.id}`).join(", ");
    out(
      [
        "",
        "What you are looking at",
        "-----------------------",
        `A synthetic AWS Organization (${m.organizationId}): ${m.accounts.length} accounts (${accounts}),`,
        `${m.regions.length} regions (${m.regions.join(", ")}), ${m.days} days of CloudTrail from ${m.firstDay} to ${m.lastDay}:`,
        `${n(m.counts.records)} records in ${n(m.counts.files)} gzipped log files in the real S3 layout under ${s.logs}.`,
        "Routine: people signing in through IAM Identity Center, SAML and one IAM user with MFA; GitHub Actions deploying",
        "through OIDC; Lambda, ECS and EC2 workloads; AWS Config, Auto Scaling and CloudTrail itself acting as services.",
        `Hidden in it: ${m.attacks.length} attacks and mistakes (a legacy IAM user taken over, a stolen admin session`,
        "stopping the organization trail, a developer deleting a trail, a root sign-in, ...), late deliveries and digest files.",
        ...(m.newBehaviour ? [`And a principal that starts doing new things: ${m.newBehaviour.principalName} in ${m.newBehaviour.accountName}, from ${m.newBehaviour.firstNewActionTime}.`] : []),
        `Everything injected is listed in ${join(s.dir, "manifest.json")}.`,
        "",
        `1. The rule catalog (${catalog.length} rules) over every record: trailwatch scan ${s.logs}`,
        "",
      ].join("\n"),
    );
  },
};

const scan: DemoStep = {
  name: "scan",
  async run(s) {
    const r = await runScan([s.logs], { format: "table", progress: process.stderr.isTTY === true });
    s.alerts = r.alerts;
    if (r.code !== 0) s.code = r.code;
  },
};

/** Whether an alert is the detection of an injected attack: same rule and account, and the same event or principal. */
export function detects(a: Alert, attack: ManifestAttack): boolean {
  return a.rule === attack.rule && a.account === attack.account && (a.eventId === attack.eventId || a.principal === attack.principal);
}

const check: DemoStep = {
  name: "check",
  async run(s) {
    const m = s.manifest;
    if (!m || !s.alerts) return;
    const ids = new Set(catalog.map((r) => r.id));
    const color = useColor(process.stdout);
    const t = new Table({
      head: ["attack", "rule", "account", "time (UTC)", "principal", "result"], wordWrap: true, colWidths: [8, 36, 12, 21, 34, 20],
      style: tableStyle(color),
    });
    let found = 0;
    let noRule = 0;
    for (const a of m.attacks) {
      let result: string;
      if (!ids.has(a.rule)) {
        result = "no such rule yet";
        noRule++;
      } else if (s.alerts.some((x) => detects(x, a))) {
        result = "detected";
        found++;
      } else result = paint("MISSED", "boldRed", color);
      t.push([cell(a.id), cell(a.rule), cell(a.accountName), cell(a.time.replace("T", " ").replace("Z", "")), cell(shortPrincipal(a.principal)), result]);
    }
    const missed = m.attacks.length - found - noRule;
    out(["", "2. Were the injected attacks found? (checked against manifest.json)", t.toString(),
      `${found} of ${m.attacks.length} detected${missed ? `, ${missed} missed` : ""}${noRule ? `, ${noRule} without a rule in the catalog` : ""}.`].join("\n"));
    const nb = m.newBehaviour;
    if (nb) {
      out(`\nNew behaviour to be found by the anomaly replay: ${nb.principalName} (${nb.accountName}) first called ` +
        nb.newActions.map((x) => `${x.eventSource.replace(".amazonaws.com", "")}:${x.eventName}`).join(", ") + ` from ${nb.firstNewActionTime}.`);
    }
  },
};

const DAY_MS = 86_400_000;

/**
 * The anomaly detection, as the deployed hourly discernment would run it: the baseline is learned
 * from the first weeks in day-long windows (no alerts), then the last days are replayed hour by hour.
 * Only the account of the manifest's new-behaviour principal, to keep the demo quick; the summary
 * prints the command that replays every account.
 */
const anomalies: DemoStep = {
  name: "replay",
  async run(s) {
    const m = s.manifest;
    const nb = m?.newBehaviour;
    if (!m || !nb) return;
    const midnight = (t: number) => new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
    const from = m.firstDay;
    const learnUntil = midnight(Date.parse(nb.firstNewActionTime) - DAY_MS);
    const to = midnight(Date.parse(`${m.lastDay}T00:00:00Z`) + DAY_MS);
    if (learnUntil <= from) {
      out(`\n3. Anomaly detection: skipped, the demo holds ${m.days} day(s) and the detector needs weeks of history before it alerts (generate with the default --days).`);
      return;
    }
    out(["", `3. Anomaly detection: what did each principal of ${nb.accountName} (${nb.account}) do that it had never done before?`,
      `   baseline learned ${from} .. ${learnUntil}, then hourly windows (last hour + 15 min) to ${to}`,
      `   (every account: npx trailwatch replay ${s.logs} --from ${from} --learn-until ${learnUntil} --to ${to})`].join("\n"));
    const run = await replay([s.logs], { from, to, learnUntil, account: nb.account, format: "table", progress: process.stderr.isTTY === true });
    const found = run.alerts.some((a) => a.principal === nb.principal);
    out(`New-behaviour principal ${nb.principalName}: ${found ? "detected" : "MISSED"}.`);
    if (run.code !== 0) s.code ||= run.code;
  },
};

/**
 * The scoring state machine's read -> score -> alert, run locally with the built-in scorer on the
 * day the new-behaviour principal turned (its account, in us-east-1 where IAM calls are logged).
 */
const scoring: DemoStep = {
  name: "score",
  async run(s) {
    const nb = s.manifest?.newBehaviour;
    if (!s.manifest || !nb) return;
    const day = nb.firstNewActionTime.slice(0, 10).replaceAll("-", "/");
    const region = "us-east-1";
    out(["", `4. Scoring: how unusual is each (principal, API) pair of ${nb.accountName} ${region} on ${day} against the 14 days before?`,
      `   (npx trailwatch score ${s.logs} --account ${nb.account} --region ${region} --day ${day})`].join("\n"));
    const run = await scoreLocal([s.logs], { account: nb.account, region, day, format: "table" });
    if (run.code !== 0) s.code ||= run.code;
  },
};

/**
 * The demo, in order. The anomaly replay (`runReplay(paths, opts)` from ./replay) and the scoring
 * (`runScore(paths, opts)` from ./score) join as one step each, after `check`, e.g.
 * `{ name: "replay", run: (s) => runReplay([s.logs], { from, to, ... }).then((c) => void (s.code ||= c)) }`.
 */
const STEPS: DemoStep[] = [
  generate,
  explain,
  scan,
  check,
  anomalies,
  scoring,
];

/**
 * `trailwatch demo` (`npm start`): generates the demo organization in `dir` when it has no logs,
 * scans it with the whole catalog and shows which injected attacks were found. Returns 0 when the
 * demo ran (alerts are expected), non-zero when a step failed.
 */
export async function runDemo(o: DemoOptions): Promise<number> {
  if (!Number.isInteger(o.days) || o.days < 1) {
    process.stderr.write(`trailwatch demo: --days must be a positive integer (got ${o.days})\n`);
    return 1;
  }
  const s: DemoState = { dir: o.dir, days: o.days, logs: join(o.dir, "AWSLogs"), code: 0 };
  for (const step of STEPS) {
    try {
      await step.run(s);
    } catch (e) {
      process.stderr.write(`trailwatch demo: step "${step.name}" failed: ${(e as Error).message}\n`);
      return 1;
    }
  }
  return s.code;
}
