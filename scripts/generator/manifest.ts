import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AccountSpec } from "./organization";
import type { Layout } from "./writer";

/** An injected attack as the manifest lists it: enough to check that a scan detected it. */
export interface ManifestAttack {
  id: string;
  /** Catalog rule id that should detect it. */
  rule: string;
  description: string;
  account: string;
  accountName: string;
  region: string;
  /** eventTime of the key event. */
  time: string;
  eventSource: string;
  eventName: string;
  eventId: string;
  /** Principal id as `resolvePrincipal` gives it (what alerts carry in `principal`). */
  principal: string;
  principalType: string;
  /** Key of the log file holding the key event. */
  file: string;
}

/** The principal that starts doing new things, for the anomaly detector. */
export interface ManifestNewBehaviour {
  account: string;
  accountName: string;
  /** Principal id as `resolvePrincipal` gives it (the role ARN). */
  principal: string;
  principalName: string;
  description: string;
  /** eventTime of its first call of an API it had never called. */
  firstNewActionTime: string;
  /** Each new (eventSource, eventName) with its first time. */
  newActions: { eventSource: string; eventName: string; firstTime: string; region: string }[];
}

export interface ManifestLateFile {
  key: string;
  account: string;
  region: string;
  newestEventTime: string;
  deliveredAt: string;
  delayMinutes: number;
}

/** `manifest.json` at the root of a generated organization. */
export interface Manifest {
  generator: "trailwatch synthetic organization";
  version: 1;
  seed: string;
  days: number;
  /** First and last generated day (UTC, inclusive). */
  firstDay: string;
  lastDay: string;
  layout: Layout;
  organizationId: string;
  bucket: string;
  trailName: string;
  regions: string[];
  accounts: AccountSpec[];
  scale: number;
  counts: { files: number; records: number; rawBytes: number; storedBytes: number; digestFiles: number; lateFiles: number };
  attacks: ManifestAttack[];
  newBehaviour: ManifestNewBehaviour | null;
  lateFiles: ManifestLateFile[];
  digestFiles: string[];
}

export const MANIFEST_FILE = "manifest.json";

/** Reads `manifest.json` of a generated organization; undefined when there is none. */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new Error(`${join(dir, MANIFEST_FILE)}: not valid JSON (${(e as Error).message})`);
  }
  if (m.generator !== "trailwatch synthetic organization" || !Array.isArray(m.attacks)) {
    throw new Error(`${join(dir, MANIFEST_FILE)}: not a trailwatch generator manifest`);
  }
  return m;
}
