/**
 * S3-source benchmark: `trailwatch scan s3://...` (S3BucketLogSource: listing the window's day
 * folders, fetching ahead with bounded concurrency, decoding and scanning) against the scan of the
 * same files from local disk.
 *
 *   npm run bench -- s3-scan [--mb 250] [--repeat 3] [--concurrency 16] [--no-pin]
 *
 * Data: one synthetic organization (organization-trail layout, 5 accounts, 3 regions) over two
 * days, the second of about `--mb` MB of raw JSON; generated once into `.bench/`, and uploaded once
 * into an s3rver data folder there. The window is the second day, so the first day's folders are
 * in the bucket but never listed. s3rver runs in this (parent) process on loopback; each measurement
 * runs in a fresh child process (pinned to one core with taskset when available), so the S3 path
 * pays for HTTP, SigV4 and the SDK on that core while s3rver serves from the other.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import Table from "cli-table3";
import { generateOrganization, readManifest, type Manifest } from "../generator";
import { BENCH_DIR, canPin, machine, runChild, type BenchModule } from "./bench";
import type { S3Measurement } from "./s3-scan-measure";

// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer?: { closeAllConnections(): void } };

// The bucket is discovered by delimiter listings (AWSLogs/ -> organization -> accounts -> regions),
// which s3rver only answers as S3 does with this patch (shared with the tests' s3rver).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { patchS3rverListing } = require("../../test/support/s3rver-exact-listing.cjs") as { patchS3rverListing: () => void };

const MEASURE = join(__dirname, "s3-scan-measure.ts");
const BUCKET = "bench-trail";
const BYTES_PER_RECORD = 1450;
const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

interface Options {
  mb: number;
  repeat: number;
  pin: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { mb: 250, repeat: 3, pin: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--mb") o.mb = Number(args[++i]);
    else if (a === "--repeat") o.repeat = Number(args[++i]);
    else if (a === "--no-pin") o.pin = false;
    else throw new Error(`s3-scan bench: unknown argument "${a}" (--mb N, --repeat N, --no-pin)`);
  }
  if (!(o.mb > 0)) throw new Error("s3-scan bench: --mb must be a positive number");
  if (!Number.isInteger(o.repeat) || o.repeat < 1) throw new Error("s3-scan bench: --repeat must be a positive integer");
  return o;
}

async function dataset(mb: number): Promise<{ dir: string; manifest: Manifest }> {
  const dir = join(BENCH_DIR, `s3-scan-${mb}mb`);
  const existing = await readManifest(dir).catch(() => undefined);
  if (existing) return { dir, manifest: existing };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  process.stderr.write(`s3-scan bench: generating ~${mb} MB a day of CloudTrail JSON in ${dir}, once ...\n`);
  const manifest = await generateOrganization({ outDir: dir, seed: "bench-s3-scan", days: 2, endDate: "2026-11-20", layout: "organization", recordsPerDay: Math.ceil((mb * 1e6) / BYTES_PER_RECORD), maxRecordsPerFile: 2500 });
  return { dir, manifest };
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

/** s3rver over a persistent data folder; the dataset is uploaded the first time only. */
async function startBucket(dir: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const data = `${dir}-s3rver`;
  const marker = join(data, ".uploaded");
  await mkdir(data, { recursive: true });
  patchS3rverListing();
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: data, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  if (!existsSync(marker)) {
    const s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", credentials: CREDENTIALS });
    let n = 0;
    for await (const path of walk(join(dir, "AWSLogs"))) {
      const key = relative(dir, path).split(sep).join("/");
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(path) }));
      if (++n % 100 === 0) process.stderr.write(`\r\x1b[Ks3-scan bench: uploaded ${n} objects`);
    }
    s3.destroy();
    process.stderr.write(`\r\x1b[Ks3-scan bench: uploaded ${n} objects to s3rver\n`);
    await writeFile(marker, String(n));
  }
  return {
    endpoint,
    async stop() {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function run(args: string[]): Promise<void> {
  const o = parseArgs(args);
  if (o.pin && !(await canPin())) {
    process.stderr.write("s3-scan bench: taskset is not available; measuring unpinned\n");
    o.pin = false;
  }
  const { dir, manifest } = await dataset(o.mb);
  const from = `${manifest.lastDay}T00:00:00.000Z`;
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  const bucket = await startBucket(dir);
  const startMachine = machine();
  const locals: S3Measurement[] = [];
  const remotes: S3Measurement[] = [];
  try {
    for (let i = 0; i < o.repeat; i++) {
      process.stderr.write(`\r\x1b[Ks3-scan bench: run ${i + 1}/${o.repeat}: local`);
      locals.push(JSON.parse((await runChild(MEASURE, ["local", dir, from, to], { pinCpu: o.pin })).trim().split("\n").pop()!) as S3Measurement);
      process.stderr.write(`\r\x1b[Ks3-scan bench: run ${i + 1}/${o.repeat}: s3`);
      // The child finds s3rver the way users point the CLI at an endpoint: AWS_ENDPOINT_URL_S3.
      process.env.AWS_ENDPOINT_URL_S3 = bucket.endpoint;
      process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
      // s3rver runs in this process: its CPU time during the run is the server's share of the work.
      const server0 = process.cpuUsage();
      const m = JSON.parse((await runChild(MEASURE, ["s3", BUCKET, from, to], { pinCpu: o.pin })).trim().split("\n").pop()!) as S3Measurement;
      const server = process.cpuUsage(server0);
      remotes.push({ ...m, serverCpuMs: (server.user + server.system) / 1000 });
    }
  } finally {
    process.stderr.write("\r\x1b[K");
    await bucket.stop();
  }
  const best = (ms: S3Measurement[]) => ms.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const l = best(locals);
  const s = best(remotes);
  if (l.records !== s.records || l.objects !== s.objects || s.errors > 0) {
    throw new Error(`s3-scan bench: the S3 scan read ${s.objects} objects / ${s.records} records (${s.errors} errors), the local scan ${l.objects} / ${l.records}: they must read the same files`);
  }
  const t = new Table({ head: ["source", "objects", "records", "raw MB", "wall s", "records/s", "MB/s (raw)", "CPU s", "peak RSS MB"], style: { head: [], border: [] } });
  const row = (name: string, m: S3Measurement) =>
    t.push([name, fmt(m.objects), fmt(m.records), fmt(m.rawBytes / 1e6), fmt(m.wallMs / 1000, 2), fmt(m.records / (m.wallMs / 1000)), fmt(m.rawBytes / 1e6 / (m.wallMs / 1000)), fmt(m.cpuMs / 1000, 2), fmt(m.maxRssMb)]);
  row(`local files (${l.alerts} alerts)`, l);
  row(`s3:// via s3rver (${s.alerts} alerts)`, s);
  const ratio = l.wallMs / s.wallMs;
  const cpuRatio = l.cpuMs / s.cpuMs;
  // CPU time is what other load on the machine disturbs least: the best of each, side by side.
  const lc = locals.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  const sc = remotes.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  const lines = [
    "",
    `s3-scan benchmark (${o.pin ? "each scan pinned to one core" : "unpinned"}, best of ${o.repeat} by wall time; window ${from.slice(0, 10)}, ${manifest.accounts.length} accounts x ${manifest.regions.length} regions, organization layout)`,
    t.toString(),
    `S3 source / local files: ${fmt(ratio * 100, 1)}% of the local scan's throughput on wall clock; ${fmt(cpuRatio * 100, 1)}% on CPU time (same runs)`,
    `s3rver (in the parent process, not pinned) spent ${fmt((s.serverCpuMs ?? 0) / 1000, 2)} s of CPU serving that run: on this 2-core machine, shared with other work, the server is much of the wall time`,
    `best CPU time of each: local ${fmt(lc.cpuMs / 1000, 2)} s, S3 ${fmt(sc.cpuMs / 1000, 2)} s: ${fmt((lc.cpuMs / sc.cpuMs) * 100, 1)}%; per object the S3 path costs ${fmt((sc.cpuMs - lc.cpuMs) / s.objects, 2)} ms more CPU`,
    `machine: ${startMachine}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  await writeFile(join(BENCH_DIR, "s3-scan-results.json"), JSON.stringify({ machine: startMachine, pinned: o.pin, repeat: o.repeat, local: l, s3: s, ratio, cpuRatio, bestCpu: { local: lc.cpuMs, s3: sc.cpuMs }, runs: { locals, remotes } }, null, 2) + "\n");
}

export const s3ScanBench: BenchModule = {
  name: "s3-scan",
  description: "scan of s3:// (s3rver on loopback) vs the same files from disk; records/s, MB/s, memory",
  run,
};
