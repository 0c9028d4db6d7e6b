import { splitIntoBatches } from "../../core/batches";
import { pairsToCsv, parsePairsCsv } from "../../core/scoring/csv";
import { dayEnd, precedingDays, type Day } from "../../core/scoring/day";
import { InvalidScoringInputError, parseScoringInput } from "../../core/scoring/input";
import { dayLogPrefix, layoutOf, normalizeKeyPrefix } from "../../core/aws/cloudtrail-keys";
import { PairAggregator } from "../../core/scoring/pair";
import { addReadStats, emptyReadStats, readPairs, type ReadStats } from "../../core/scoring/read-day";
import {
  getObjectText, listDayLogFiles, objectExists, putObjectText, S3ObjectsLogSource,
} from "../../adapters/aws/s3-day-reader";
import type { BatchFile, PlannedDay, ReadEvent, ReadOutcome, RunPlan, RunRef } from "./events";
import { historyCacheKey, runIdOf, runKeys, runPrefixOf } from "./keys";
import { mapLimit } from "../../core/concurrency";

/** The client the S3 helpers of `s3-day-reader` take (built by the handler). */
type S3 = Parameters<typeof getObjectText>[0];

/** The read function's settings (its environment, parsed by the handler). */
export interface ReadSettings {
  WORK_BUCKET: string;
  CLOUDTRAIL_BUCKETS: string[];
  ORGANIZATION_ID?: string;
  LOG_PREFIX?: string;
  HISTORY_DAYS: number;
  BATCH_MAX_FILES: number;
  BATCH_MAX_MB: number;
  READ_CONCURRENCY: number;
  COMPLETE_AFTER_HOURS: number;
}

/** The logging the read steps do (Powertools Logger fits). */
export interface ReadLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Stats and problems of one batch, beside its pairs (`parts/NNNNN.json`). */
interface PartStats {
  day: Day;
  stats: ReadStats;
  problems: string[];
}

const MAX_PROBLEMS = 20;

async function getJson<T>(s3: S3, bucket: string, key: string): Promise<T> {
  const text = await getObjectText(s3, bucket, key);
  if (text === undefined) throw new Error(`s3://${bucket}/${key} is missing; it is written by an earlier step of the same run`);
  return JSON.parse(text) as T;
}

/**
 * The read steps of the scoring state machine:
 * - `plan`: validates the input, lists the day of interest and each preceding day that is not in the
 *   history cache (every page of the listing), splits the files into batches and writes the plan;
 * - `readBatch`: reads one batch of log files and writes its pair counts (a Map state runs these);
 * - `merge`: adds up each day's batches and writes the day's pairs CSV once.
 */
export function scoringReadSteps(logger: ReadLogger) {
  async function plan(ev: Extract<ReadEvent, { action: "plan" }>, c: ReadSettings, s3: S3): Promise<RunRef> {
    const started = new Date(ev.execution?.startTime ?? "");
    const now = Number.isNaN(started.getTime()) ? new Date() : started;
    const req = parseScoringInput(ev.input, now);
    if (!c.CLOUDTRAIL_BUCKETS.includes(req.bucket)) {
      throw new InvalidScoringInputError(
        `invalid scoring input: cloudtrail_bucket "${req.bucket}" is not a bucket this deployment reads (${c.CLOUDTRAIL_BUCKETS.join(", ")}); add it to the scoring section's cloudtrailBuckets`,
      );
    }
    const layout = layoutOf(c.ORGANIZATION_ID);
    const keyPrefix = normalizeKeyPrefix(c.LOG_PREFIX);
    const runId = runIdOf(ev.execution?.name ?? `manual-${now.getTime()}`);
    const runPrefix = runPrefixOf(runId);
    const keys = runKeys(runPrefix);
    const completeBy = now.getTime() - c.COMPLETE_AFTER_HOURS * 3_600_000;
    const days: { day: Day; role: "target" | "history" }[] = [
      ...precedingDays(req.day, c.HISTORY_DAYS).map((day) => ({ day, role: "history" as const })),
      { day: req.day, role: "target" },
    ];

    let nextBatch = 0;
    const batchFiles: { id: number; file: BatchFile }[] = [];
    const planned = await mapLimit(days, 4, async ({ day, role }): Promise<PlannedDay> => {
      const cacheable = dayEnd(day).getTime() <= completeBy;
      const cacheKey = historyCacheKey(req.bucket, req.account, req.region, day);
      const empty = { digest: 0, empty: 0, notLogFile: 0 };
      if (role === "history" && cacheable && (await objectExists(s3, c.WORK_BUCKET, cacheKey))) {
        return { day, role, source: "cache", pairsKey: cacheKey, cacheable, files: 0, bytes: 0, skipped: empty, batches: [] };
      }
      const prefix = dayLogPrefix(layout, req.account, req.region, day, keyPrefix);
      const listing = await listDayLogFiles(s3, req.bucket, prefix);
      const batches = splitIntoBatches(listing.files, { maxItems: c.BATCH_MAX_FILES, maxBytes: c.BATCH_MAX_MB * 1024 * 1024 }, (f) => f.size).map((objects) => {
        const id = nextBatch++;
        batchFiles.push({ id, file: { day, objects } });
        return id;
      });
      return {
        day, role, source: "logs",
        pairsKey: role === "target" ? keys.pairs : cacheable ? cacheKey : keys.historyDay(day),
        cacheable,
        files: listing.files.length,
        bytes: listing.files.reduce((n, f) => n + f.size, 0),
        skipped: listing.skipped,
        batches,
      };
    });

    await mapLimit(batchFiles, 16, ({ id, file }) => putObjectText(s3, c.WORK_BUCKET, keys.batch(id), JSON.stringify(file), "application/json"));
    const run: Omit<RunRef, "batches"> = {
      runId,
      executionId: ev.execution?.id ?? runId,
      runPrefix,
      bucket: req.bucket,
      account: req.account,
      region: req.region,
      day: req.day,
      logPrefix: `s3://${req.bucket}/${dayLogPrefix(layout, req.account, req.region, req.day, keyPrefix)}`,
      startedAt: now.toISOString(),
    };
    const runPlan: RunPlan = { run, days: planned };
    await putObjectText(s3, c.WORK_BUCKET, keys.plan, JSON.stringify(runPlan, null, 1), "application/json");
    const target = planned[planned.length - 1]!;
    logger.info("planned", {
      runId, day: req.day, files: target.files, batches: nextBatch,
      cachedDays: planned.filter((d) => d.source === "cache").length, listedDays: planned.filter((d) => d.source === "logs").length,
    });
    return { ...run, batches: batchFiles.map((b) => b.id).sort((a, b) => a - b) };
  }

  async function readBatch(ev: Extract<ReadEvent, { action: "read-batch" }>, c: ReadSettings, s3: S3) {
    if (!c.CLOUDTRAIL_BUCKETS.includes(ev.bucket)) throw new Error(`bucket "${ev.bucket}" is not one this deployment reads`);
    const keys = runKeys(ev.runPrefix);
    const batch = await getJson<BatchFile>(s3, c.WORK_BUCKET, keys.batch(ev.batch));
    const res = await readPairs(new S3ObjectsLogSource(s3, ev.bucket, batch.objects), { concurrency: c.READ_CONCURRENCY, maxProblems: MAX_PROBLEMS });
    await putObjectText(s3, c.WORK_BUCKET, keys.part(ev.batch), pairsToCsv(res.pairs), "text/csv");
    const part: PartStats = { day: batch.day, stats: res.stats, problems: res.problems };
    await putObjectText(s3, c.WORK_BUCKET, keys.partStats(ev.batch), JSON.stringify(part), "application/json");
    return { batch: ev.batch, day: batch.day, files: res.stats.files, records: res.stats.records, pairs: res.pairs.length };
  }

  async function merge(ev: Extract<ReadEvent, { action: "merge" }>, c: ReadSettings, s3: S3): Promise<ReadOutcome> {
    const keys = runKeys(ev.run.runPrefix);
    const runPlan = await getJson<RunPlan>(s3, c.WORK_BUCKET, keys.plan);
    let targetStats = emptyReadStats();
    let targetProblems: string[] = [];
    let targetPairs = 0;
    await mapLimit(runPlan.days.filter((d) => d.source === "logs"), 4, async (d) => {
      const agg = new PairAggregator();
      const stats = emptyReadStats();
      const problems: string[] = [];
      for (const b of d.batches) {
        const csvKey = keys.part(b);
        const text = await getObjectText(s3, c.WORK_BUCKET, csvKey);
        if (text === undefined) throw new Error(`s3://${c.WORK_BUCKET}/${csvKey} is missing: batch ${b} of ${d.day} was not read`);
        agg.merge(parsePairsCsv(text, `s3://${c.WORK_BUCKET}/${csvKey}`));
        const part = await getJson<PartStats>(s3, c.WORK_BUCKET, keys.partStats(b));
        addReadStats(stats, part.stats);
        problems.push(...part.problems.slice(0, Math.max(0, MAX_PROBLEMS - problems.length)));
      }
      const csv = pairsToCsv(agg.pairs());
      // The day's pairs are written once, whole; never appended to or rewritten per record.
      await putObjectText(s3, c.WORK_BUCKET, d.pairsKey, csv, "text/csv");
      if (d.role === "target") {
        if (d.cacheable) await putObjectText(s3, c.WORK_BUCKET, historyCacheKey(ev.run.bucket, ev.run.account, ev.run.region, d.day), csv, "text/csv");
        targetStats = stats;
        targetProblems = problems;
        targetPairs = agg.size;
      }
    });
    const targetDay = runPlan.days.find((d) => d.role === "target")!;
    const outcome: ReadOutcome = {
      pairsKey: keys.pairs,
      historyKeys: runPlan.days.filter((d) => d.role === "history").map((d) => d.pairsKey),
      totals: {
        files: targetDay.files,
        records: targetStats.records,
        pairs: targetPairs,
        historyDays: runPlan.days.length - 1,
        unreadableFiles: targetStats.unreadableFiles,
        invalidRecords: targetStats.invalidRecords,
        problems: targetProblems,
      },
    };
    await putObjectText(s3, c.WORK_BUCKET, keys.read, JSON.stringify({ ...outcome, stats: targetStats, skipped: targetDay.skipped }, null, 1), "application/json");
    logger.info("counted", { runId: ev.run.runId, ...outcome.totals, problems: undefined, serviceRecords: targetStats.serviceRecords });
    return outcome;
  }

  return { plan, readBatch, merge };
}
