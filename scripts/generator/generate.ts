import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { resolvePrincipal } from "../../functions/core/record/principal";
import type { UserIdentity } from "../../functions/core/record/schema";
import { Sessions, TokenPool, curveFactor, type Activity, type EmitCtx } from "./activity";
import { planAttacks, planNewBehaviour, type AttackPlan, type NewBehaviourPlan } from "./attacks";
import { makeEstate, type Estate } from "./estate";
import { MANIFEST_FILE, type Manifest, type ManifestAttack, type ManifestNewBehaviour } from "./manifest";
import { accountOfKind, makeOrganization, type AccountSpec, type Organization } from "./organization";
import { Rng } from "./random";
import type { EventSpec } from "./record";
import { routineActivities } from "./routine";
import { DAY, HOUR, MINUTE, isoSeconds, utcDay } from "./time";
import { LogWriter, type Layout } from "./writer";

export interface GenerateOptions {
  /** Directory to write into (created); must not already hold `AWSLogs/`. */
  outDir: string;
  /** Same seed, same options: the same bytes. Default "trailwatch". */
  seed?: string | number;
  /** Days of activity, ending with `endDate` (inclusive). Default 35. */
  days?: number;
  /** Last generated day, `YYYY-MM-DD` or a Date (UTC). Default: today (UTC), so pass it for reproducible output. */
  endDate?: string | Date;
  /** `account`: `AWSLogs/<acct>/CloudTrail/...` (default); `organization`: `AWSLogs/<org-id>/<acct>/CloudTrail/...`. */
  layout?: Layout;
  /** The accounts (default: management, log-archive, prod, dev, sandbox). */
  accounts?: AccountSpec[];
  /** The regions (default us-east-1, eu-west-1, eu-central-1). */
  regions?: string[];
  /** Multiplies all routine volume (default 1: about 3,000 records a day across the default organization). */
  scale?: number;
  /** Target routine records per day over all accounts; sets `scale` (measured on a sample day). */
  recordsPerDay?: number;
  /** Most records in one file (default 2,500); busier windows are split. */
  maxRecordsPerFile?: number;
  /** Inject the attacks and the new-behaviour principal (default true). */
  attacks?: boolean;
  /** Hours of digest files written at the end of the period for each account and region (default 3). */
  digestHours?: number;
  /** Called after each generated day. */
  onProgress?(p: GenerateProgress): void;
}

export interface GenerateProgress {
  day: number;
  days: number;
  records: number;
  files: number;
  rawBytes: number;
}

/** Events of one hour, grouped by stream (account|region). */
type HourEvents = Map<string, EventSpec[]>;

interface Plan {
  seed: string;
  org: Organization;
  estates: Map<string, Estate>;
  activities: Map<string, Activity[]>;
  scale: number;
  pool: TokenPool;
  sessions: Sessions;
}

/** Region of one emission of an activity. */
function regionsFor(a: Activity, org: Organization): string[] {
  switch (a.where) {
    case "global":
      return [org.globalRegion];
    case "home":
      return [org.homeRegion];
    default:
      return org.regions;
  }
}

/** Generates the routine events of every account for one hour. */
function routineHour(p: Plan, hourStart: number, push: (e: EventSpec) => void): void {
  const d = new Date(hourStart);
  const hour = d.getUTCHours();
  const weekday = d.getUTCDay();
  const hourIndex = Math.floor(hourStart / HOUR);
  for (const account of p.org.accounts) {
    const estate = p.estates.get(account.id)!;
    for (const act of p.activities.get(account.id)!) {
      const f = curveFactor(act.curve, hour, weekday);
      if (f <= 0) continue;
      const rng = new Rng(p.seed, account.id, act.id, hourIndex);
      const ctx: EmitCtx = {
        rng, org: p.org, account, estate, t: hourStart, hourStart, region: p.org.homeRegion, push,
        sessions: p.sessions, token: () => p.pool.token(),
      };
      const regions = regionsFor(act, p.org);
      if (act.where === "any") {
        // One rate for the principal, its calls spread over regions with most in the home region.
        const weights = regions.map((r) => (r === p.org.homeRegion ? 6 : r === p.org.globalRegion ? 2.5 : 1.5 / Math.max(1, regions.length - 2)));
        const n = rng.poisson(act.perHour * f * p.scale);
        for (let i = 0; i < n; i++) {
          ctx.t = hourStart + rng.int(HOUR);
          ctx.region = rng.weighted(regions, weights);
          act.emit(ctx);
        }
      } else {
        for (const region of regions) {
          const n = rng.poisson(act.perHour * f * p.scale);
          ctx.region = region;
          for (let i = 0; i < n; i++) {
            ctx.t = hourStart + rng.int(HOUR);
            act.emit(ctx);
          }
        }
      }
    }
  }
}

function validate(o: GenerateOptions): { days: number; scale: number; maxRecordsPerFile: number; digestHours: number } {
  const days = o.days ?? 35;
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new Error(`days must be an integer from 1 to 3660 (got ${o.days})`);
  const scale = o.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`scale must be a positive number (got ${o.scale})`);
  if (o.recordsPerDay !== undefined && !(o.recordsPerDay > 0)) throw new Error(`recordsPerDay must be positive (got ${o.recordsPerDay})`);
  const maxRecordsPerFile = o.maxRecordsPerFile ?? 2500;
  if (!Number.isInteger(maxRecordsPerFile) || maxRecordsPerFile < 1) throw new Error(`maxRecordsPerFile must be a positive integer (got ${o.maxRecordsPerFile})`);
  if (o.layout !== undefined && o.layout !== "account" && o.layout !== "organization") throw new Error(`layout must be "account" or "organization" (got "${String(o.layout)}")`);
  const digestHours = o.digestHours ?? 3;
  if (!Number.isInteger(digestHours) || digestHours < 0) throw new Error(`digestHours must be a non-negative integer (got ${o.digestHours})`);
  return { days, scale, maxRecordsPerFile, digestHours };
}

/** Routine records of a weekday and a weekend day at scale 1, to turn `recordsPerDay` into a scale. */
function measureScale(p: Plan, lastDay: number, recordsPerDay: number): number {
  const probe = { ...p, scale: 1, sessions: new Sessions() };
  const countDay = (day: number) => {
    let n = 0;
    for (let h = 0; h < 24; h++) routineHour(probe, day + h * HOUR, () => n++);
    return n;
  };
  let weekday = lastDay;
  while ([0, 6].includes(new Date(weekday).getUTCDay())) weekday -= DAY;
  let weekend = lastDay;
  while (![0, 6].includes(new Date(weekend).getUTCDay())) weekend -= DAY;
  const perDay = (5 * countDay(weekday) + 2 * countDay(weekend)) / 7;
  return recordsPerDay / Math.max(1, perDay);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Generates a synthetic AWS Organization's CloudTrail logs: weeks of routine activity by realistic
 * principals, injected attacks, a principal that starts doing new things, late deliveries and digest
 * files, in the real S3 layout, plus `manifest.json` that lists what was injected. Deterministic:
 * the same options give the same bytes.
 */
export async function generateOrganization(o: GenerateOptions): Promise<Manifest> {
  const { days, scale: givenScale, maxRecordsPerFile, digestHours } = validate(o);
  if (!o.outDir) throw new Error("outDir is required");
  if (await exists(join(o.outDir, "AWSLogs"))) throw new Error(`${join(o.outDir, "AWSLogs")} already exists: remove it or choose another directory`);
  const seed = String(o.seed ?? "trailwatch");
  const layout: Layout = o.layout ?? "account";
  const lastDay = utcDay(o.endDate ?? new Date());
  const start = lastDay - (days - 1) * DAY;
  const end = lastDay + DAY;

  const org = makeOrganization(seed, o.accounts, o.regions);
  const estates = new Map(org.accounts.map((a) => [a.id, makeEstate(org, a)]));
  const activities = new Map(org.accounts.map((a) => [a.id, routineActivities(seed, org, a, estates.get(a.id)!)]));
  const plan: Plan = { seed, org, estates, activities, scale: givenScale, pool: new TokenPool(seed), sessions: new Sessions() };
  if (o.recordsPerDay !== undefined) plan.scale = measureScale(plan, lastDay, o.recordsPerDay);

  const withAttacks = o.attacks ?? true;
  const attacks: AttackPlan[] = withAttacks ? planAttacks(seed, org, estates, lastDay, days) : [];
  const newBehaviour: NewBehaviourPlan | undefined = withAttacks ? planNewBehaviour(seed, org, estates, lastDay, days) : undefined;
  const injected = [...attacks.flatMap((a) => a.events), ...(newBehaviour?.events ?? [])].sort((a, b) => a.time - b.time);

  // Late deliveries: files that cross an hour or a day boundary and arrive 20-45 minutes late.
  const prod = accountOfKind(org, "production");
  const mgmt = accountOfKind(org, "management");
  const back = (n: number) => lastDay - Math.min(n, days - 1) * DAY;
  const lateAt = [
    { account: prod.id, region: org.homeRegion, time: lastDay + 9 * HOUR + 56 * MINUTE },
    { account: prod.id, region: org.homeRegion, time: lastDay + 13 * HOUR + 58 * MINUTE },
    { account: mgmt.id, region: org.globalRegion, time: back(1) + 16 * HOUR + 57 * MINUTE },
    ...[1, 2, 3].filter((k) => k < days).map((k) => ({ account: prod.id, region: org.homeRegion, time: lastDay - k * DAY + 23 * HOUR + 52 * MINUTE })),
  ];

  await mkdir(o.outDir, { recursive: true });
  const writer = new LogWriter({ outDir: o.outDir, org, layout, seed, start, maxRecordsPerFile, lateAt, lateChance: 0.0002 });

  let carry: EventSpec[] = [];
  let inj = 0;
  let records = 0;
  for (let day = 0; day < days; day++) {
    plan.sessions.clear();
    for (let h = 0; h < 24; h++) {
      const hourStart = start + day * DAY + h * HOUR;
      const hourEnd = hourStart + HOUR;
      const byStream: HourEvents = new Map();
      const push = (e: EventSpec) => {
        if (e.time < hourStart) e.time = hourStart; // never before files already written
        const k = e.account + "|" + e.region;
        const list = byStream.get(k);
        if (list) list.push(e);
        else byStream.set(k, [e]);
      };
      for (const e of carry) push(e);
      carry = [];
      routineHour(plan, hourStart, push);
      while (inj < injected.length && injected[inj]!.time < hourEnd) push(injected[inj++]!);
      const keys = [...byStream.keys()].sort();
      for (const k of keys) {
        const list = byStream.get(k)!.sort((a, b) => a.time - b.time);
        let cut = list.length;
        while (cut > 0 && list[cut - 1]!.time >= hourEnd) cut--;
        if (cut < list.length) carry.push(...list.slice(cut));
        const [account, region] = k.split("|") as [string, string];
        records += cut;
        await writer.add(account, region, cut === list.length ? list : list.slice(0, cut));
      }
    }
    o.onProgress?.({ day: day + 1, days, records, files: writer.files.length, rawBytes: writer.files.reduce((s, f) => s + f.rawBytes, 0) });
  }
  // Bursts that ran past the end of the last day.
  const tail = new Map<string, EventSpec[]>();
  for (const e of carry) {
    const k = e.account + "|" + e.region;
    tail.set(k, [...(tail.get(k) ?? []), e]);
  }
  for (const k of [...tail.keys()].sort()) {
    const [account, region] = k.split("|") as [string, string];
    await writer.add(account, region, tail.get(k)!.sort((a, b) => a.time - b.time));
  }
  await writer.finish();
  const digestFiles = digestHours > 0 ? await writer.writeDigests(end, digestHours) : [];

  const manifest = buildManifest({ seed, days, start, lastDay, layout, org, scale: plan.scale, writer, attacks, newBehaviour, digestFiles });
  await writeFile(join(o.outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

function buildManifest(x: {
  seed: string; days: number; start: number; lastDay: number; layout: Layout; org: Organization; scale: number;
  writer: LogWriter; attacks: AttackPlan[]; newBehaviour?: NewBehaviourPlan; digestFiles: string[];
}): Manifest {
  const { org, writer } = x;
  const byTag = new Map(writer.tagged.map((t) => [t.tag, t]));
  const attacks: ManifestAttack[] = x.attacks.map((a) => {
    const t = byTag.get(a.id);
    if (!t) throw new Error(`internal: the key event of attack ${a.id} (${a.rule}) was not written`);
    const r = t.record;
    const p = resolvePrincipal(r.userIdentity as UserIdentity);
    return {
      id: a.id, rule: a.rule, description: a.description, account: a.account.id, accountName: a.account.name,
      region: r.awsRegion as string, time: r.eventTime as string, eventSource: r.eventSource as string, eventName: r.eventName as string,
      eventId: t.eventId, principal: p.id, principalType: p.type, file: t.key,
    };
  });
  let newBehaviour: ManifestNewBehaviour | null = null;
  if (x.newBehaviour) {
    const nb = x.newBehaviour;
    const first = new Map<string, { eventSource: string; eventName: string; firstTime: string; region: string }>();
    for (const e of nb.events) {
      if (e.identity.type !== "AssumedRole") continue; // the OIDC AssumeRoleWithWebIdentity is made by the web identity, not the role
      const k = `${e.eventSource}:${e.eventName}`;
      if (!first.has(k)) first.set(k, { eventSource: e.eventSource, eventName: e.eventName, firstTime: isoSeconds(e.time), region: e.region });
    }
    const newActions = [...first.values()];
    newBehaviour = {
      account: nb.account.id, accountName: nb.account.name, principal: nb.principalArn, principalName: nb.principalName, description: nb.description,
      firstNewActionTime: newActions.map((a) => a.firstTime).sort()[0]!, newActions,
    };
  }
  const files = writer.files;
  const late = files.filter((f) => f.late).sort((a, b) => a.key.localeCompare(b.key));
  return {
    generator: "trailwatch synthetic organization",
    version: 1,
    seed: x.seed,
    days: x.days,
    firstDay: isoSeconds(x.start).slice(0, 10),
    lastDay: isoSeconds(x.lastDay).slice(0, 10),
    layout: x.layout,
    organizationId: org.id,
    bucket: org.bucket,
    trailName: org.trailName,
    regions: org.regions,
    accounts: org.accounts,
    scale: Number(x.scale.toFixed(6)),
    counts: {
      files: files.length,
      records: files.reduce((s, f) => s + f.records, 0),
      rawBytes: files.reduce((s, f) => s + f.rawBytes, 0),
      storedBytes: files.reduce((s, f) => s + f.storedBytes, 0),
      digestFiles: x.digestFiles.length,
      lateFiles: late.length,
    },
    attacks,
    newBehaviour,
    lateFiles: late.map((f) => ({
      key: f.key, account: f.account, region: f.region, newestEventTime: isoSeconds(f.newest), deliveredAt: isoSeconds(f.stamp),
      delayMinutes: Math.round((f.stamp - f.newest) / MINUTE),
    })),
    digestFiles: x.digestFiles,
  };
}
