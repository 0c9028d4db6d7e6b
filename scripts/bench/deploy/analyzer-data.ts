import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { LocalLogSource } from "../../../functions/adapters/local/log-source";
import { generateOrganization } from "../../generator";

export const BUSY_ACCOUNT = { id: "210987654321", name: "busy-prod", kind: "production" as const };
export const REGION = "us-east-1";
/** Raw JSON bytes per record of the generator's mix with one region (measured: about 1,590). */
const BYTES_PER_RECORD = 1_590;

/** One big gzipped CloudTrail log object on disk, and what is in it. */
export interface AnalyzerObject {
  path: string;
  records: number;
  /** Uncompressed JSON bytes (the text is ASCII: characters = bytes). */
  rawBytes: number;
  gzBytes: number;
  firstEventTime: string;
  lastEventTime: string;
}

/** A CloudTrail log file name for the object (the analyzer skips keys that are not). */
export function logObjectKey(unique: string): string {
  const u = unique.replace(/[^A-Za-z0-9]/g, "").padStart(16, "0").slice(-16);
  return `AWSLogs/${BUSY_ACCOUNT.id}/CloudTrail/${REGION}/2026/11/20/${BUSY_ACCOUNT.id}_CloudTrail_${REGION}_20261120T2355Z_${u}.json.gz`;
}

/**
 * A gzipped CloudTrail object of at least `mb` MB (10^6 bytes) of JSON, generated once into `dir`
 * and kept: one busy synthetic account's day in one region (the generator's records, 1-2 KB each,
 * with its injected attacks) put into one `{"Records":[...]}` in time order and cut at the size.
 * Real CloudTrail files are far smaller; one this large is the worst case a single message brings.
 */
export async function analyzerObject(dir: string, mb: number, log: (s: string) => void): Promise<AnalyzerObject> {
  const metaPath = join(dir, "object.meta.json");
  const want = Math.ceil(mb * 1e6);
  if (existsSync(metaPath)) {
    const meta = JSON.parse(await readFile(metaPath, "utf8")) as AnalyzerObject & { want: number };
    if (meta.want === want && existsSync(meta.path)) return meta;
  }
  await rm(dir, { recursive: true, force: true });
  const gen = join(dir, "generated");
  await mkdir(gen, { recursive: true });
  const recordsPerDay = Math.ceil((want * 1.15) / BYTES_PER_RECORD);
  log(`generating one busy day (~${recordsPerDay.toLocaleString("en-US")} records) for a ${mb} MB log object in ${dir}, once ...`);
  await generateOrganization({
    outDir: gen, seed: "bench-deploy", days: 1, endDate: "2026-11-20", accounts: [BUSY_ACCOUNT], regions: [REGION],
    recordsPerDay, maxRecordsPerFile: 100_000,
  });

  const all: { t: string; json: string }[] = [];
  const source = new LocalLogSource([join(gen, "AWSLogs")]);
  for await (const f of source.files()) {
    if (f.skip) continue;
    const doc = JSON.parse(gunzipSync(await readFile(f.id)).toString("utf8")) as { Records: { eventTime: string }[] };
    for (const r of doc.Records) all.push({ t: r.eventTime, json: JSON.stringify(r) });
  }
  all.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const picked: string[] = [];
  let size = '{"Records":[]}'.length;
  for (const r of all) {
    if (size >= want) break;
    size += r.json.length + (picked.length ? 1 : 0);
    picked.push(r.json);
  }
  if (size < want) throw new Error(`generated only ${(size / 1e6).toFixed(1)} MB of records for a ${mb} MB object; raise the margin in analyzer-data.ts`);
  const text = `{"Records":[${picked.join(",")}]}`;
  const gz = gzipSync(text, { level: 6 });
  const path = join(dir, "object.json.gz");
  await writeFile(path, gz);
  await rm(gen, { recursive: true, force: true });
  const meta: AnalyzerObject & { want: number } = {
    want, path, records: picked.length, rawBytes: text.length, gzBytes: gz.length,
    firstEventTime: all[0]!.t, lastEventTime: all[picked.length - 1]!.t,
  };
  await writeFile(metaPath, JSON.stringify(meta, null, 2) + "\n");
  return meta;
}
