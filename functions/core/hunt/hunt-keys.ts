import { HUNT_ID } from "./hunt-input";

/**
 * Where a hunt keeps its files in the results bucket: everything of one execution under
 * `hunts/<execution name>/`, so concurrent hunts never touch each other's files and one lifecycle
 * rule expires them all.
 */
export const HUNTS_PREFIX = "hunts/";

/** The keys of one hunt. */
export interface HuntKeys {
  /** `hunts/<id>/` */
  root: string;
  /** The object list the Distributed Map reads (JSON array of {@link ManifestItem}). */
  manifest: string;
  /** What the listing found and could not list. */
  plan: string;
  /** Where the Distributed Map's ResultWriter writes (`<prefix>/<map run id>/manifest.json`, `SUCCEEDED_0.json`, ...). */
  mapResults: string;
  /** One batch's alerts (JSON Lines), written by the scan function. */
  batchAlerts(batchId: string): string;
  /** Every alert of the hunt, merged across batches (JSON Lines). */
  alerts: string;
  /** The summary (JSON): counts, failed items with reasons, alerts by rule. */
  summary: string;
}

/** Thrown for a hunt id or batch id that cannot be part of a key. */
export class HuntKeyError extends Error {
  override name = "HuntKeyError";
}

/** The keys of hunt `id` (the execution name). */
export function huntKeys(id: string): HuntKeys {
  if (!HUNT_ID.test(id)) throw new HuntKeyError(`hunt id ${JSON.stringify(id)} must be 1-80 letters, digits, "-" or "_" (a Step Functions execution name)`);
  const root = `${HUNTS_PREFIX}${id}/`;
  return {
    root,
    manifest: `${root}manifest.json`,
    plan: `${root}plan.json`,
    mapResults: `${root}map`,
    batchAlerts(batchId: string) {
      // A Distributed Map child execution name (a UUID) or a test's name; nothing that could leave the folder.
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(batchId) || batchId.includes("..")) throw new HuntKeyError(`batch id ${JSON.stringify(batchId)} cannot be part of a key`);
      return `${root}alerts/${batchId.replace(/:/g, "_")}.jsonl`;
    },
    alerts: `${root}alerts.jsonl`,
    summary: `${root}summary.json`,
  };
}
