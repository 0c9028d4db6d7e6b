import { clipText, type HuntBatchSettings } from "../../core/hunt/batch";
import { HUNT_ID, InvalidHuntInputError, parseHuntInput } from "../../core/hunt/hunt-input";
import { huntKeys } from "../../core/hunt/hunt-keys";
import type { HuntListing } from "../../core/hunt/summary";
import { listingDays, logFileMayHoldWindow } from "../../core/sources/cloudtrail-prefixes";
import { isDigestKey, isLogFileName } from "../../adapters/log-content";
import { S3LayoutLister } from "../../adapters/aws/s3-layout-lister";
import { S3ObjectWriter } from "../../adapters/aws/s3-object-writer";
import { putObjectText } from "../../adapters/aws/s3-day-reader";

/** The plan step's input (the state machine's Parameters). */
export interface PlanEvent {
  input: unknown;
  execution?: { name?: string; startTime?: string };
}

/** What the plan step returns (`$.plan` of the execution): small, everything else is in S3. */
export interface PlanOutput {
  hunt: HuntBatchSettings;
  /** The manifest the Distributed Map reads, in the results bucket. */
  manifestKey: string;
  /** Where the map's ResultWriter writes. */
  mapResultsPrefix: string;
  /** `plan.json`: the listing's counts and problems. */
  planKey: string;
  files: number;
  bytes: number;
  accounts?: string[];
  regions?: string[];
  publishAlerts: boolean;
}

/** The plan function's settings (its environment, parsed by the handler). */
export interface PlanEnv {
  trailBucket: string;
  resultsBucket: string;
  /** `[prefix/]AWSLogs/[org-id/]`: the only part of the trail bucket a hunt lists. */
  logRoot: string;
  maxWindowDays: number;
  publishAllowed: boolean;
  listConcurrency: number;
  /** Ids of the deployment's own rules (its rules folder), which a hunt may name beside the catalog's. */
  ownRuleIds: string[];
  /** Rules the deployment's `rules` section switches off (a hunt naming one is refused). */
  disabledRuleIds: string[];
}

/** What the plan step works with; the handler builds it. */
export interface PlanDeps {
  /** The S3 client of the trail and results buckets. */
  s3: Parameters<typeof putObjectText>[0];
  /** Ids a hunt may name (the catalog's). */
  ruleIds: ReadonlySet<string>;
  logger: { info(message: string, ...extra: Record<string, unknown>[]): void };
}

/** Listing problems kept in plan.json (the rest are counted). */
const LISTING_PROBLEMS = 200;

/**
 * The first step of a hunt: validates the input against the catalog and the deployment's limits,
 * lists the window's day folders in the CloudTrail layout (accounts and regions as given, or found by
 * delimiter listing; late deliveries up to an hour past the window included) and streams every log
 * file that can hold the window's events into the manifest, a JSON array of `{"key", "size"}` the
 * Distributed Map reads. A prefix that cannot be listed is recorded with why and the rest is listed.
 */
export async function planHunt(event: PlanEvent, c: PlanEnv, deps: PlanDeps): Promise<PlanOutput> {
  const { s3, ruleIds, logger } = deps;
  const started = new Date(event?.execution?.startTime ?? "");
  const now = Number.isNaN(started.getTime()) ? new Date() : started;
  const req = parseHuntInput(event?.input, now, { maxWindowDays: c.maxWindowDays, ruleIds, disabledRuleIds: new Set(c.disabledRuleIds), publishAllowed: c.publishAllowed });
  const id = event?.execution?.name ?? "";
  if (!HUNT_ID.test(id)) throw new InvalidHuntInputError(`the execution name ${JSON.stringify(clipText(id, 100))} cannot name a hunt's files (1-80 letters, digits, "-" or "_")`);
  const keys = huntKeys(id);

  const listing: HuntListing = {
    accountRegions: 0, dayFolders: 0, files: 0, bytes: 0,
    skipped: { digest: 0, notLogFile: 0, empty: 0, outsideWindow: 0 },
    problems: [], moreProblems: 0,
  };
  const accountRegions = new Set<string>();
  const dayFolders = new Set<string>();
  const lister = new S3LayoutLister(s3, { bucket: c.trailBucket, prefix: c.logRoot }, { listConcurrency: c.listConcurrency });
  const manifest = new S3ObjectWriter(s3, c.resultsBucket, keys.manifest, { contentType: "application/json" });
  try {
    await manifest.write("[");
    for await (const item of lister.objects({ ...(req.accounts ? { accounts: req.accounts } : {}), ...(req.regions ? { regions: req.regions } : {}) }, listingDays(req.window), "logs")) {
      if (item.kind === "problem") {
        if (listing.problems.length < LISTING_PROBLEMS) listing.problems.push({ file: clipText(item.id, 1100), reason: clipText(item.reason) });
        else listing.moreProblems++;
        continue;
      }
      if (isDigestKey(item.key)) listing.skipped.digest++;
      else if (!isLogFileName(item.key)) listing.skipped.notLogFile++;
      else if (item.size === 0) listing.skipped.empty++;
      else if (!logFileMayHoldWindow(item.key, req.window)) listing.skipped.outsideWindow++;
      else {
        await manifest.write(`${listing.files === 0 ? "" : ","}\n${JSON.stringify({ key: item.key, size: item.size })}`);
        listing.files++;
        listing.bytes += item.size;
        // <root>[<org>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>
        const folder = item.key.slice(0, item.key.lastIndexOf("/"));
        dayFolders.add(folder);
        accountRegions.add(folder.split("/").slice(0, -3).join("/"));
      }
    }
    await manifest.write("\n]\n");
    await manifest.close();
  } catch (e) {
    await manifest.abort();
    throw e;
  }
  listing.accountRegions = accountRegions.size;
  listing.dayFolders = dayFolders.size;

  const hunt: HuntBatchSettings = {
    id,
    from: req.window.from.toISOString(),
    to: req.window.to.toISOString(),
    ...(req.rules ? { rules: req.rules } : {}),
    ...(req.minSeverity ? { minSeverity: req.minSeverity } : {}),
  };
  const output: PlanOutput = {
    hunt,
    manifestKey: keys.manifest,
    mapResultsPrefix: keys.mapResults,
    planKey: keys.plan,
    files: listing.files,
    bytes: listing.bytes,
    ...(req.accounts ? { accounts: req.accounts } : {}),
    ...(req.regions ? { regions: req.regions } : {}),
    publishAlerts: req.publishAlerts,
  };
  await putObjectText(s3, c.resultsBucket, keys.plan, JSON.stringify({ ...output, startedAt: now.toISOString(), listing }, null, 1), "application/json");
  logger.info("planned", { hunt: id, from: hunt.from, to: hunt.to, files: listing.files, bytes: listing.bytes, accountRegions: listing.accountRegions, listingProblems: listing.problems.length + listing.moreProblems });
  return output;
}
