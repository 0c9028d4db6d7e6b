/**
 * One measurement of the S3-source benchmark, run by `s3-scan.ts` in a fresh child process. Prints
 * one JSON line on stdout.
 *
 *   local DATASET_DIR FROM TO     the files the S3 source would choose, read from disk (LocalLogSource)
 *   s3 BUCKET FROM TO             S3BucketLogSource against AWS_ENDPOINT_URL_S3 (s3rver on loopback)
 *
 * Both scan through `windowedSource` + `scanLogs` + the whole catalog, so they differ only in where
 * the bytes come from.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { S3BucketLogSource } from "../../functions/adapters/aws/s3-bucket-log-source";
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import type { LogFileRef, LogSource } from "../../functions/core/ports";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { scanLogs } from "../../functions/core/scan";
import { listingDays, logFileMayHoldWindow } from "../../functions/core/sources/cloudtrail-prefixes";
import { windowedSource } from "../../functions/core/sources/window-filter";

export interface S3Measurement {
  kind: string;
  objects: number;
  records: number;
  rawBytes: number;
  storedBytes: number;
  alerts: number;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  errors: number;
  /** s3rver's CPU time during an `s3` run (filled in by the parent, which runs the server). */
  serverCpuMs?: number;
}

/** The local files the S3 source would read for the window: day folders of the window (plus lateness), stamps that can hold it. */
async function localSelection(dir: string, w: { from: Date; to: Date }): Promise<LogFileRef[]> {
  const days = new Set(listingDays(w));
  const out: LogFileRef[] = [];
  for await (const f of new LocalLogSource([dir]).files()) {
    if (f.skip) continue;
    const key = f.id.replace(/\\/g, "/");
    const m = /\/CloudTrail\/[^/]+\/(\d{4}\/\d{2}\/\d{2})\/[^/]+$/.exec(key);
    if (m && days.has(m[1]!) && logFileMayHoldWindow(key, w)) out.push(f);
  }
  return out;
}

async function measure(kind: string, target: string, from: string, to: string): Promise<S3Measurement> {
  const w = { from: new Date(from), to: new Date(to) };
  let source: LogSource;
  let client: S3Client | undefined;
  if (kind === "local") {
    const refs = await localSelection(target, w);
    const local = new LocalLogSource([target]);
    source = { files: async function* () { yield* refs; }, read: (f) => local.read(f) };
  } else if (kind === "s3") {
    client = new S3Client({ region: "us-east-1", forcePathStyle: true });
    source = new S3BucketLogSource(client, { location: { bucket: target, prefix: "" }, window: w });
  } else throw new Error(`unknown measurement "${kind}" (local, s3)`);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = await scanLogs(windowedSource(source, w), new RuleEngine(catalog));
  const c = process.cpuUsage(c0);
  const wallMs = performance.now() - t0;
  client?.destroy();
  return {
    kind, objects: result.stats.filesRead, records: result.stats.records, rawBytes: result.stats.bytes, storedBytes: result.stats.storedBytes,
    alerts: result.alerts.length, wallMs, cpuMs: (c.user + c.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, errors: result.fileErrors.length,
  };
}

if (require.main === module) {
  const [kind, target, from, to] = process.argv.slice(2);
  measure(kind ?? "", target ?? "", from ?? "", to ?? "")
    .then((m) => process.stdout.write(JSON.stringify(m) + "\n"))
    .catch((e) => {
      process.stderr.write(`s3-scan-measure: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    });
}
