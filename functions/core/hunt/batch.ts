import { SEVERITIES } from "../alert/alert";
import * as z from "../zod";
import { HUNT_ID } from "./hunt-input";

/**
 * What crosses the Distributed Map: one manifest item per log file, the hunt's settings every batch
 * gets (`ItemBatcher.BatchInput`), and what one batch reports back (kept small: a child
 * execution's output is at most 256 KB, and the alerts themselves go to S3).
 */

/** One log file of the manifest (one Distributed Map item). */
export interface ManifestItem {
  key: string;
  size: number;
}

/** S3 keys are at most 1,024 bytes. */
const MAX_KEY_LENGTH = 1024;

/** The hunt as every batch sees it (the `hunt` member of the ItemBatcher's BatchInput). */
export const huntBatchSettingsSchema = z.strictObject({
  id: z.string().check(z.regex(HUNT_ID)),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  rules: z.optional(z.array(z.string().check(z.maxLength(128))).check(z.maxLength(500))),
  minSeverity: z.optional(z.enum(SEVERITIES)),
});
export type HuntBatchSettings = z.infer<typeof huntBatchSettingsSchema>;

/** Most items one batch may carry (the ItemBatcher's MaxItemsPerBatch is at most this). */
export const MAX_ITEMS_PER_BATCH = 5000;

/** A batch as the scan function receives it. */
export const huntBatchEventSchema = z.object({
  hunt: huntBatchSettingsSchema,
  batchId: z.string().check(z.minLength(1), z.maxLength(128)),
  items: z
    .array(z.object({ key: z.string().check(z.minLength(1), z.maxLength(MAX_KEY_LENGTH)), size: z.number().check(z.int(), z.minimum(0)) }))
    .check(z.maxLength(MAX_ITEMS_PER_BATCH)),
});
export type HuntBatchEvent = z.infer<typeof huntBatchEventSchema>;

/** A file that could not be read (fully or partly) or a record that could not be used. */
export interface HuntProblem {
  file: string;
  reason: string;
}

/** What one batch reports: counts, its alerts by rule, where its alerts are, a few problems. */
export interface BatchResult {
  batchId: string;
  files: number;
  filesRead: number;
  filesSkipped: number;
  filesWithErrors: number;
  records: number;
  invalidRecords: number;
  /** Uncompressed bytes of log text read. */
  bytes: number;
  /** Bytes of the objects as stored. */
  storedBytes: number;
  alerts: number;
  alertsByRule: Record<string, number>;
  /** The batch's alerts (JSON Lines) in the results bucket; absent when it had none. */
  alertsKey?: string;
  /** The first problems of the batch (files not read completely, unusable records), each reason clipped. */
  problems: HuntProblem[];
  /** Problems beyond those listed. */
  moreProblems: number;
  /** Rules that threw, with the count and first message. */
  ruleErrors: { rule: string; count: number; first: string }[];
  /** Matches the deployment's suppressions kept back, per rule (absent when it has none). */
  suppressedByRule?: Record<string, number>;
}

/** Problems a batch lists (the rest are counted). */
export const BATCH_PROBLEMS = 20;
/** Longest reason kept in a result or summary. */
export const REASON_CHARS = 500;

/** Cuts a text to `max` characters, saying how long it was. */
export function clipText(text: string, max = REASON_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}...[${text.length} chars]`;
}

/** A batch result read back from a child execution's output; fields a result could lack default to zero. */
export const batchResultSchema = z.looseObject({
  batchId: z.string(),
  files: z._default(z.number(), 0),
  filesRead: z._default(z.number(), 0),
  filesSkipped: z._default(z.number(), 0),
  filesWithErrors: z._default(z.number(), 0),
  records: z._default(z.number(), 0),
  invalidRecords: z._default(z.number(), 0),
  bytes: z._default(z.number(), 0),
  storedBytes: z._default(z.number(), 0),
  alerts: z._default(z.number(), 0),
  alertsByRule: z._default(z.record(z.string(), z.number()), {}),
  alertsKey: z.optional(z.string()),
  problems: z._default(z.array(z.object({ file: z.string(), reason: z.string() })), []),
  moreProblems: z._default(z.number(), 0),
  ruleErrors: z._default(z.array(z.object({ rule: z.string(), count: z.number(), first: z.string() })), []),
  suppressedByRule: z.optional(z.record(z.string(), z.number())),
});
