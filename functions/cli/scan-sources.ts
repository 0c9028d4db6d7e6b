import type { S3Client } from "@aws-sdk/client-s3";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { LogFileRef, LogSource, ReadOptions } from "../core/ports";
import { ACCOUNT_ID, REGION } from "../core/aws/identifiers";
import { isS3Uri, layoutPosition, parseS3Uri, S3LocationError, type S3Location } from "../core/sources/cloudtrail-prefixes";
import { formatInstant, TimeWindowError, windowFromFlags, type TimeWindow } from "../core/sources/time-window";
import { windowedSource } from "../core/sources/window-filter";
import { LocalLogSource } from "../adapters/local/log-source";

/** The command-line flags that choose what a scan reads. */
export interface SourceFlags {
  from?: string;
  to?: string;
  since?: string;
  /** Comma-separated 12-digit account ids. */
  accounts?: string;
  /** Comma-separated region names. */
  regions?: string;
  profile?: string;
  region?: string;
  lookupEvents?: boolean;
  /** S3 GetObject requests in flight. */
  concurrency?: string;
}

/** Thrown for flags that do not fit together or cannot be read (exit status 1). */
export class SourceUsageError extends Error {
  override name = "SourceUsageError";
}

/** An S3 location a scan reads, with the client that reads it (for `--verify`). */
export interface S3Input {
  location: S3Location;
  client: S3Client;
}

/** What a scan reads, ready for `scanLogs`. */
export interface ScanSources {
  source: LogSource;
  window?: TimeWindow;
  /** Local paths given (for `--verify` and for listing them up front). */
  localPaths: string[];
  s3: S3Input[];
  /** True when some input is listed while it is read (S3, LookupEvents): progress counts objects. */
  streaming: boolean;
  /** Things people must know before trusting the result (what LookupEvents cannot see, ...). */
  notes: string[];
  /** Hook for progress: objects and bytes listed so far, across inputs. */
  onListed(cb: (objects: number, bytes: number) => void): void;
  close(): void;
}

function csvList(flag: string, value: string | undefined, re: RegExp, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new SourceUsageError(`${flag} is empty`);
  for (const i of items) if (!re.test(i)) throw new SourceUsageError(`${flag}: "${i}" is not ${what}`);
  return [...new Set(items)];
}

function positiveInt(flag: string, v: string | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new SourceUsageError(`${flag} must be a whole number from 1 to ${max} (got "${v}")`);
  return n;
}

/** Reads the sources one after the other as one source. */
function chain(sources: readonly LogSource[]): LogSource {
  if (sources.length === 1) return sources[0]!;
  const owner = new Map<string, LogSource>();
  return {
    async *files() {
      for (const s of sources) {
        for await (const f of s.files()) {
          owner.set(f.id, s);
          yield f;
        }
      }
    },
    read(f: LogFileRef, opts?: ReadOptions) {
      const s = owner.get(f.id);
      owner.delete(f.id);
      if (!s) throw new Error(`${f.id} was not listed by any source`);
      return s.read(f, opts);
    },
  };
}

/**
 * Builds what `trailwatch scan` reads from its arguments: local paths, `s3://bucket/prefix/` URIs
 * (a window is required: only its day folders are listed), or CloudTrail LookupEvents with
 * `--lookup-events --region R`. With a window every record outside it is left out, so local and S3
 * scans of the same window report the same events.
 */
export async function buildScanSources(paths: readonly string[], flags: SourceFlags, now: Date, opts: { hashes?: Map<string, string> } = {}): Promise<ScanSources> {
  let window: TimeWindow | undefined;
  try {
    window = windowFromFlags(flags, now);
  } catch (e) {
    if (e instanceof TimeWindowError) throw new SourceUsageError(e.message);
    throw e;
  }
  const accounts = csvList("--accounts", flags.accounts, ACCOUNT_ID, "a 12-digit account id");
  const regions = csvList("--regions", flags.regions, REGION, "a region name (e.g. eu-west-1)");
  if (flags.region !== undefined && !REGION.test(flags.region)) throw new SourceUsageError(`--region: "${flags.region}" is not a region name (e.g. eu-west-1)`);
  const notes: string[] = [];
  const listeners: ((objects: number, bytes: number) => void)[] = [];
  const totals = { objects: 0, bytes: 0 };
  const closers: (() => void)[] = [];
  const tell = () => listeners.forEach((l) => l(totals.objects, totals.bytes));

  if (flags.lookupEvents) {
    if (paths.length > 0) throw new SourceUsageError("--lookup-events reads CloudTrail's event history, not files: give no paths with it");
    if (!flags.region) throw new SourceUsageError("--lookup-events needs --region (event history is per region)");
    if (accounts || regions) throw new SourceUsageError("--lookup-events reads the account of the credentials in --region only; --accounts and --regions do not apply");
    if (!window) {
      window = { from: new Date(now.getTime() - 86_400_000), to: now };
      notes.push(`No window given: reading the last 24 hours (${formatInstant(window.from)} to ${formatInstant(window.to)}).`);
    }
    // AWS SDK modules load only when an AWS source is used: a local scan starts without them.
    const { LookupEventsSource, lookupEventsLimits } = await import("../adapters/aws/lookup-events-source");
    const { cliCloudTrailClient } = await import("./aws-clients");
    notes.push(...lookupEventsLimits({ region: flags.region, window }, now));
    const client: CloudTrailClient = cliCloudTrailClient({ profile: flags.profile, region: flags.region });
    closers.push(() => client.destroy());
    const lookup = new LookupEventsSource(client, { region: flags.region, window });
    const counted: LogSource = {
      async *files() {
        for await (const f of lookup.files()) {
          totals.objects++;
          totals.bytes += f.size ?? 0;
          tell();
          yield f;
        }
      },
      read: (f) => lookup.read(f),
    };
    return { source: windowedSource(counted, window), window, localPaths: [], s3: [], streaming: true, notes, onListed: (cb) => listeners.push(cb), close: () => closers.forEach((c) => c()) };
  }

  if (paths.length === 0) throw new SourceUsageError("give at least one path or s3:// URI to scan, or --lookup-events --region R");
  const s3Paths = paths.filter(isS3Uri);
  const localPaths = paths.filter((p) => !isS3Uri(p));
  if (s3Paths.length > 0 && !window) throw new SourceUsageError("s3:// sources need a window (--from with optional --to, or --since) so only its day folders are listed");
  if (localPaths.length > 0 && (accounts || regions)) throw new SourceUsageError("--accounts and --regions apply to s3:// sources only");
  const concurrency = positiveInt("--concurrency", flags.concurrency, 16, 256);

  const sources: LogSource[] = [];
  if (localPaths.length > 0) sources.push(new LocalLogSource(localPaths));
  const s3: S3Input[] = [];
  if (s3Paths.length > 0) {
    const { S3BucketLogSource } = await import("../adapters/aws/s3-bucket-log-source");
    const { sha256OfGzip } = await import("../adapters/integrity-content");
    const hashes = opts.hashes;
    // With --verify, each body is hashed as it arrives, so the verification does not fetch it again.
    const onBody = hashes
      ? (id: string, body: Buffer) => {
          try {
            hashes.set(id, sha256OfGzip(body));
          } catch {
            // Not gzip: the verification reads it again and reports it.
          }
        }
      : undefined;
    const { cliS3Client } = await import("./aws-clients");
    const client = await cliS3Client({ profile: flags.profile, region: flags.region });
    closers.push(() => client.destroy());
    const perSource: { objects: number; bytes: number }[] = [];
    for (const uri of s3Paths) {
      let location: S3Location;
      try {
        location = parseS3Uri(uri);
        layoutPosition(location.prefix);
      } catch (e) {
        if (e instanceof S3LocationError) throw new SourceUsageError(e.message);
        throw e;
      }
      s3.push({ location, client });
      const mine = { objects: 0, bytes: 0 };
      perSource.push(mine);
      sources.push(
        new S3BucketLogSource(client, { location, window: window!, filter: { ...(accounts ? { accounts } : {}), ...(regions ? { regions } : {}) } }, {
          concurrency,
          ...(onBody ? { onBody } : {}),
          onListed: (t) => {
            mine.objects = t.objects;
            mine.bytes = t.bytes;
            totals.objects = perSource.reduce((n, x) => n + x.objects, 0);
            totals.bytes = perSource.reduce((n, x) => n + x.bytes, 0);
            tell();
          },
        }),
      );
    }
  }
  const source = chain(sources);
  return {
    source: window ? windowedSource(source, window) : source,
    ...(window ? { window } : {}),
    localPaths,
    s3,
    streaming: s3Paths.length > 0,
    notes,
    onListed: (cb) => listeners.push(cb),
    close: () => closers.forEach((c) => c()),
  };
}
