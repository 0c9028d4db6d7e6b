import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { accountLogPrefix, dayFolderPrefix, layoutOf, type KeyKind } from "../../functions/core/aws/cloudtrail-keys";
import type { Organization } from "./organization";
import { Rng } from "./random";
import { buildRecord, type EventSpec } from "./record";
import { HOUR, MINUTE, dayPath, digestStamp, fileStamp, isoSeconds } from "./time";

/**
 * Compresses and writes files on a worker thread, so that on a machine with two or more cores the
 * main thread keeps generating while files are gzipped and written (thousands of small files: the
 * filesystem and zlib's per-stream setup dominate). Plain JavaScript, evaluated, so it runs the same
 * under tsx, jest and node.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const { mkdirSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { gzipSync } = require("node:zlib");
const { createHash } = require("node:crypto");
const made = new Set();
parentPort.on("message", (m) => {
  try {
    const dir = dirname(m.path);
    if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
    const gz = gzipSync(m.text, { level: workerData.level });
    writeFileSync(m.path, gz);
    parentPort.postMessage({ id: m.id, size: gz.length, sha256: createHash("sha256").update(gz).digest("hex") });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: (e && e.message) || String(e) });
  }
});
`;

/** A worker that gzips and writes files, with a bound on the bytes waiting for it. */
class FileWorker {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve(r: { size: number; sha256: string }): void; reject(e: Error): void; bytes: number }>();
  private next = 0;
  private bytes = 0;
  private drained: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(level: number, count: number, private readonly maxBytes = 96 * 2 ** 20) {
    for (let i = 0; i < count; i++) this.workers.push(this.start(level));
  }

  private start(level: number): Worker {
    const worker = new Worker(WORKER_CODE, { eval: true, workerData: { level } });
    worker.on("message", (m: { id: number; size?: number; sha256?: string; error?: string }) => {
      const p = this.pending.get(m.id)!;
      this.pending.delete(m.id);
      this.bytes -= p.bytes;
      if (m.error) p.reject(new Error(m.error));
      else p.resolve({ size: m.size!, sha256: m.sha256! });
      if (this.drained && this.bytes < this.maxBytes / 2) {
        const d = this.drained;
        this.drained = undefined;
        d();
      }
    });
    worker.on("error", (e) => {
      this.failure = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.drained?.();
    });
    return worker;
  }

  /** Queues a file; waits first when too many bytes are queued. */
  async write(path: string, text: string): Promise<{ done: Promise<{ size: number; sha256: string }> }> {
    if (this.failure) throw this.failure;
    if (this.bytes > this.maxBytes) await new Promise<void>((r) => (this.drained = r));
    const id = this.next++;
    const bytes = text.length;
    this.bytes += bytes;
    const done = new Promise<{ size: number; sha256: string }>((resolve, reject) => this.pending.set(id, { resolve, reject, bytes }));
    this.workers[id % this.workers.length]!.postMessage({ id, path, text });
    return { done }; // wrapped: an async function would otherwise wait for the write itself
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Where files go under `AWSLogs/`: one trail per account, or one organization trail. */
export type Layout = "account" | "organization";

/** What was written for one file. */
export interface WrittenFile {
  key: string;
  account: string;
  region: string;
  /** Delivery time in the name. */
  stamp: number;
  records: number;
  rawBytes: number;
  storedBytes: number;
  oldest: number;
  newest: number;
  sha256: string;
  late: boolean;
}

/** Where a tagged (attack or new-behaviour) event ended up. */
export interface TaggedEvent {
  tag: string;
  eventId: string;
  key: string;
  record: Record<string, unknown>;
}

interface Stream {
  account: string;
  region: string;
  rng: Rng;
  buffer: EventSpec[];
  windowEnd: number;
  files: number;
  /** Newest event of the previous file (late-delivery targets are matched against it). */
  lastNewest: number;
}

export interface WriterOptions {
  outDir: string;
  org: Organization;
  layout: Layout;
  seed: string;
  start: number;
  /** Most records one file holds; a busier window is split into several files, as CloudTrail does. */
  maxRecordsPerFile: number;
  /** Files delivered late on purpose: the file of (account, region) holding the first event at or after `time`. */
  lateAt: { account: string; region: string; time: number }[];
  /** Chance that any other file is delivered late. */
  lateChance: number;
  /** gzip level (CloudTrail's files compress about 10-15x). */
  gzipLevel?: number;
}

/** The S3 key prefix (ending in `/`) of an account's log or digest files of one region and day in a layout. */
function dayPrefix(org: Organization, layout: Layout, account: string, region: string, day: string, kind: KeyKind): string {
  return dayFolderPrefix(accountLogPrefix(layoutOf(layout === "organization" ? org.id : undefined), account, "", kind), region, day);
}

/**
 * Turns per-(account, region) streams of time-ordered events into CloudTrail log files: a file per
 * delivery window of 5 to 15 minutes that had activity, named by its delivery time, gzipped, in
 * the real S3 key layout. A few files are delivered late (their name is 20-45 minutes after their
 * newest event). Compression and writing run on libuv's thread pool, a bounded number at a time.
 */
export class LogWriter {
  private readonly streams = new Map<string, Stream>();
  private readonly inflight: Promise<unknown>[] = [];
  private readonly madeDirs = new Set<string>();
  private readonly worker: FileWorker;
  readonly files: WrittenFile[] = [];
  readonly tagged: TaggedEvent[] = [];

  constructor(private readonly o: WriterOptions) {
    // One writer thread per spare core, at most two: file creation, not CPU, is the limit beyond that.
    this.worker = new FileWorker(o.gzipLevel ?? 6, Math.max(1, Math.min(2, availableParallelism() - 1)));
  }

  private stream(account: string, region: string): Stream {
    const k = account + "|" + region;
    let s = this.streams.get(k);
    if (!s) {
      const rng = new Rng(this.o.seed, "stream", account, region);
      s = { account, region, rng, buffer: [], windowEnd: this.o.start + rng.range(5, 15) * MINUTE, files: 0, lastNewest: -Infinity };
      this.streams.set(k, s);
    }
    return s;
  }

  /** Adds events of one stream, sorted by time and none earlier than the stream's open window. */
  async add(account: string, region: string, events: EventSpec[]): Promise<void> {
    const s = this.stream(account, region);
    for (const e of events) {
      while (e.time >= s.windowEnd) {
        await this.flush(s, false);
        s.windowEnd += s.rng.range(5, 15) * MINUTE;
      }
      s.buffer.push(e);
      if (s.buffer.length >= this.o.maxRecordsPerFile) await this.flush(s, true);
    }
  }

  /** Writes every open window and waits for all writes. */
  async finish(): Promise<void> {
    try {
      for (const s of this.streams.values()) await this.flush(s, false);
      await Promise.all(this.inflight);
    } finally {
      await this.worker.close();
    }
  }

  /** A late target makes late the file holding the stream's first event at or after the target time. */
  private isLate(s: Stream, newest: number): boolean {
    for (const l of this.o.lateAt) {
      if (l.account === s.account && l.region === s.region && l.time > s.lastNewest && l.time <= newest) return true;
    }
    return s.rng.chance(this.o.lateChance);
  }

  private async flush(s: Stream, split: boolean): Promise<void> {
    if (s.buffer.length === 0) return;
    const events = s.buffer;
    s.buffer = [];
    const newest = events[events.length - 1]!.time;
    const oldest = events[0]!.time;
    // A split file (window too busy for one file) is delivered with the window; CloudTrail delivers
    // most files within about 5 minutes of the window's end, a few much later.
    const late = !split && this.isLate(s, newest);
    s.lastNewest = newest;
    const delivered = late ? newest + s.rng.range(20, 45) * MINUTE : Math.max(s.windowEnd, newest + MINUTE) + s.rng.range(0, 3) * MINUTE;
    const stamp = Math.floor(delivered / MINUTE) * MINUTE; // names carry minutes only
    const fileRng = new Rng(this.o.seed, "file", s.account, s.region, s.files++);
    const name = `${s.account}_CloudTrail_${s.region}_${fileStamp(stamp)}_${fileRng.alnum(16)}.json.gz`;
    const key = `${dayPrefix(this.o.org, this.o.layout, s.account, s.region, dayPath(stamp), "logs")}${name}`;
    const parts: string[] = new Array<string>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const rec = buildRecord(e, fileRng);
      if (e.tag) this.tagged.push({ tag: e.tag, eventId: rec.eventID as string, key, record: rec });
      parts[i] = JSON.stringify(rec);
    }
    const text = '{"Records":[' + parts.join(",") + "]}";
    const meta: WrittenFile = {
      key, account: s.account, region: s.region, stamp, records: events.length, rawBytes: Buffer.byteLength(text),
      storedBytes: 0, oldest, newest, sha256: "", late,
    };
    this.files.push(meta);
    const { done } = await this.worker.write(join(this.o.outDir, key), text);
    this.inflight.push(done.then((r) => {
      meta.storedBytes = r.size;
      meta.sha256 = r.sha256;
    }));
  }

  /** Writes one small object (a digest) under outDir, creating its folders. */
  private put(key: string, body: Buffer): void {
    const path = join(this.o.outDir, key);
    const dir = dirname(path);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    writeFileSync(path, body);
  }

  /**
   * Writes hourly digest files (CloudTrail-Digest) for the last `hours` hours before `end` of every
   * stream: the integrity data CloudTrail delivers beside the logs, which scanners must skip.
   */
  async writeDigests(end: number, hours: number): Promise<string[]> {
    const keys: string[] = [];
    const org = this.o.org;
    const mgmt = org.accounts.find((a) => a.kind === "management") ?? org.accounts[0]!;
    const trailArnAccount = this.o.layout === "organization" ? mgmt.id : undefined;
    const fingerprint = createHash("md5").update(`${this.o.seed}|digest-key`).digest("hex");
    for (const s of this.streams.values()) {
      let previous: { key: string; hash: string; signature: string } | undefined;
      for (let h = hours; h >= 1; h--) {
        const from = end - h * HOUR;
        const to = from + HOUR;
        const files = this.files.filter((f) => f.account === s.account && f.region === s.region && f.stamp >= from && f.stamp < to);
        const stamp = to + 7 * MINUTE + (s.files % 50) * 1000;
        const trailHome = org.globalRegion;
        const name = `${s.account}_CloudTrail-Digest_${s.region}_${org.trailName}_${trailHome}_${digestStamp(stamp)}.json.gz`;
        const key = `${dayPrefix(org, this.o.layout, s.account, s.region, dayPath(stamp), "digests")}${name}`;
        const rng = new Rng(this.o.seed, "digest", key);
        const digest = {
          awsAccountId: s.account,
          digestStartTime: isoSeconds(from),
          digestEndTime: isoSeconds(to),
          digestS3Bucket: org.bucket,
          digestS3Object: key,
          digestPublicKeyFingerprint: fingerprint,
          digestSignatureAlgorithm: "SHA256withRSA",
          newestEventTime: files.length ? isoSeconds(Math.max(...files.map((f) => f.newest))) : null,
          oldestEventTime: files.length ? isoSeconds(Math.min(...files.map((f) => f.oldest))) : null,
          previousDigestS3Bucket: previous ? org.bucket : null,
          previousDigestS3Object: previous?.key ?? null,
          previousDigestHashValue: previous?.hash ?? null,
          previousDigestHashAlgorithm: previous ? "SHA-256" : null,
          previousDigestSignature: previous?.signature ?? null,
          logFiles: files.map((f) => ({
            s3Bucket: org.bucket, s3Object: f.key, hashValue: f.sha256, hashAlgorithm: "SHA-256",
            newestEventTime: isoSeconds(f.newest), oldestEventTime: isoSeconds(f.oldest),
          })),
          ...(trailArnAccount ? { trailARN: `arn:aws:cloudtrail:${org.globalRegion}:${trailArnAccount}:trail/${org.trailName}` } : {}),
        };
        const gz = gzipSync(JSON.stringify(digest));
        this.put(key, gz);
        previous = { key, hash: createHash("sha256").update(gz).digest("hex"), signature: rng.hex(512) };
        keys.push(key);
      }
    }
    return keys.sort();
  }
}
