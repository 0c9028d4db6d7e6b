import { accountLogPrefix, dayFolder, fileStamp, KEY_PREFIX, type LogLayout } from "../aws/cloudtrail-keys";
import { ACCOUNT_ID, REGION, requireMatch } from "../aws/identifiers";
import { checkWindow, type QueryWindow } from "./window";

const MINUTE = 60_000;

/**
 * Which files one query reads. CloudTrail names a file after its delivery minute, and a file holds
 * only events written before that minute, so the events of `[from, to)` are in files stamped at
 * or after `from` (floored to the minute) and, for those already delivered, before
 * `to + deliveryPadMinutes`. Files delivered later are read by the next window, which overlaps
 * this one. The date folders are those of every delivery stamp in that range, so a window
 * across midnight reads both days, and only the few minutes of files it needs from each.
 */
export interface ScanPlan {
  account: string;
  window: QueryWindow;
  /** Event-time bounds in CloudTrail's format (`2026-11-20T09:45:00Z`), from inclusive, to exclusive. */
  eventFrom: string;
  eventTo: string;
  /** Date folders (`YYYY/MM/DD`) the files can be in, oldest first. */
  days: string[];
  /** Delivery stamps (`YYYYMMDDTHHmmZ`) of the files to read: from inclusive, to exclusive. */
  fileFrom: string;
  fileTo: string;
}

export interface ScanPlanOptions {
  /** Minutes after the window's end whose files are still read (default 10). */
  deliveryPadMinutes?: number;
}

export const DEFAULT_DELIVERY_PAD_MINUTES = 10;

function ctTime(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Builds the scan plan of one account's window. Throws on a bad account id or window. */
export function scanPlan(account: string, window: QueryWindow, opts: ScanPlanOptions = {}): ScanPlan {
  requireMatch("account id", account, ACCOUNT_ID);
  const problem = checkWindow(window);
  if (problem) throw new RangeError(problem);
  const pad = opts.deliveryPadMinutes ?? DEFAULT_DELIVERY_PAD_MINUTES;
  if (!Number.isInteger(pad) || pad < 0 || pad > 24 * 60) throw new RangeError(`deliveryPadMinutes must be a whole number from 0 to 1440 (got ${pad})`);
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const filesFrom = Math.floor(from / MINUTE) * MINUTE;
  const filesTo = to + pad * MINUTE;
  const days: string[] = [];
  for (let d = Date.UTC(new Date(filesFrom).getUTCFullYear(), new Date(filesFrom).getUTCMonth(), new Date(filesFrom).getUTCDate()); d < filesTo; d += 24 * 60 * MINUTE) {
    days.push(dayFolder(new Date(d)));
  }
  return { account, window, eventFrom: ctTime(from), eventTo: ctTime(to), days, fileFrom: fileStamp(new Date(filesFrom)), fileTo: fileStamp(new Date(filesTo)) };
}

/** A half-open range of full file paths: `lo <= path < hi`. */
export interface PathRange {
  lo: string;
  hi: string;
}

/**
 * The path ranges of a plan under `base` (`s3://bucket/` or a local root ending in `/`): one per
 * (region, day) folder. Inside a folder every file starts with `<account>_CloudTrail_<region>_`
 * followed by its stamp, so a plain string range on the full path selects exactly the stamps
 * wanted. Engines can prune files with such a range before opening them (Athena on `"$path"`,
 * DuckDB on `filename`), which a function of the path (regexp_extract) would not allow everywhere.
 */
export function pathRanges(plan: ScanPlan, base: string, layout: LogLayout, regions: readonly string[], keyPrefix = ""): PathRange[] {
  const root = base + accountLogPrefix(layout, plan.account, requireMatch("key prefix", keyPrefix, KEY_PREFIX));
  const out: PathRange[] = [];
  for (const region of regions) {
    requireMatch("region", region, REGION);
    for (const day of plan.days) {
      const dir = `${root}${region}/${day}/${plan.account}_CloudTrail_${region}_`;
      out.push({ lo: dir + plan.fileFrom, hi: dir + plan.fileTo });
    }
  }
  return out;
}

/** True when a delivery stamp falls in the plan's file range (the same test as the path ranges). */
export function stampInPlan(plan: ScanPlan, stamp: string): boolean {
  return stamp >= plan.fileFrom && stamp < plan.fileTo;
}
