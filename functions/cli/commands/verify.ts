import { createWriteStream } from "node:fs";
import { Presets, SingleBar } from "cli-progress";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ACCOUNT_ID, REGION } from "../../core/aws/identifiers";
import { allValid, verifyIntegrity, type IntegrityReport, type IntegrityStore, type PublicKeySource } from "../../core/integrity/verify";
import { isS3Uri, layoutPosition, parseS3Uri, S3LocationError } from "../../core/sources/cloudtrail-prefixes";
import { formatInstant, TimeWindowError, windowFromFlags, type TimeWindow } from "../../core/sources/time-window";
import { LocalIntegrityStore } from "../../adapters/local/local-integrity-store";
import { PublicKeyFiles } from "../../adapters/public-keys";
import { integrityDetailTable, integritySummaryTable, printable } from "../format/integrity-table";
import { EXIT_INTEGRITY, UsageError } from "./scan";

export { EXIT_INTEGRITY };

export interface VerifyCommandOptions {
  from?: string;
  to?: string;
  since?: string;
  accounts?: string;
  regions?: string;
  profile?: string;
  /** Comma-separated files saved from `aws cloudtrail list-public-keys` (offline; instead of ListPublicKeys). */
  publicKeys?: string;
  format?: "table" | "json";
  output?: string;
  /** List every file in the table, not only those that are not valid. */
  all?: boolean;
  concurrency?: string;
  progress?: boolean;
  quiet?: boolean;
  /** Hashes already computed by a scan, by file id. */
  knownHashes?: ReadonlyMap<string, string>;
}

function list(flag: string, v: string | undefined, re: RegExp, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!re.test(i)) throw new UsageError(`${flag}: "${i}" is not ${what}`);
  return items.length ? items : undefined;
}

/** One input's store and the keys to check its digests with. */
interface Input {
  store: IntegrityStore;
  keys: PublicKeySource;
}

/**
 * Builds the stores and key sources of `verify` (and `scan --verify`) for local folders and s3:// URIs.
 * Keys come from `--public-keys` files, or from ListPublicKeys in each digest's region.
 */
export async function integrityInputs(paths: readonly string[], o: VerifyCommandOptions, window: TimeWindow | undefined): Promise<{ inputs: Input[]; close: () => void }> {
  const accounts = list("--accounts", o.accounts, ACCOUNT_ID, "a 12-digit account id");
  const regions = list("--regions", o.regions, REGION, "a region name");
  const s3Paths = paths.filter(isS3Uri);
  const localPaths = paths.filter((p) => !isS3Uri(p));
  if (s3Paths.length > 0 && !window) throw new UsageError("s3:// sources need a window (--from with optional --to, or --since) so only its day folders are listed");
  if (localPaths.length > 0 && (accounts || regions)) throw new UsageError("--accounts and --regions apply to s3:// sources only");
  const closers: (() => void)[] = [];
  const fileKeys = o.publicKeys ? new PublicKeyFiles(o.publicKeys.split(",").map((s) => s.trim()).filter(Boolean)) : undefined;
  if (fileKeys) {
    try {
      await fileKeys.keys();
    } catch (e) {
      throw new UsageError(`--public-keys ${(e as Error).message}`);
    }
  }
  const cloudTrailKeys = async (w: TimeWindow): Promise<PublicKeySource> => {
    const { CloudTrailPublicKeys } = await import("../../adapters/aws/cloudtrail-public-keys");
    const { cliCloudTrailClient } = await import("../aws-clients");
    const clients = new Map<string, CloudTrailClient>();
    closers.push(() => clients.forEach((c) => c.destroy()));
    return new CloudTrailPublicKeys((region) => {
      let c = clients.get(region);
      if (!c) clients.set(region, (c = cliCloudTrailClient({ profile: o.profile, region })));
      return c;
    }, w);
  };
  const inputs: Input[] = [];
  if (localPaths.length > 0) {
    const store = new LocalIntegrityStore(localPaths);
    let keys: PublicKeySource | undefined = fileKeys;
    if (!keys) {
      const span = window ?? (await store.span());
      keys = span ? await cloudTrailKeys(span) : { keys: async () => [] };
    }
    inputs.push({ store, keys });
  }
  if (s3Paths.length > 0) {
    const { S3IntegrityStore } = await import("../../adapters/aws/s3-integrity-store");
    const { cliS3Client } = await import("../aws-clients");
    const client = await cliS3Client({ profile: o.profile });
    closers.push(() => client.destroy());
    for (const uri of s3Paths) {
      let location;
      try {
        location = parseS3Uri(uri);
        layoutPosition(location.prefix);
      } catch (e) {
        if (e instanceof S3LocationError) throw new UsageError(e.message);
        throw e;
      }
      const store = new S3IntegrityStore(client, location, window!, { ...(accounts ? { accounts } : {}), ...(regions ? { regions } : {}) });
      inputs.push({ store, keys: fileKeys ?? (await cloudTrailKeys(window!)) });
    }
  }
  return { inputs, close: () => closers.forEach((c) => c()) };
}

/** Runs the checks over every input and merges the reports. */
export async function verifyInputs(inputs: readonly Input[], o: { window?: TimeWindow; concurrency?: number; knownHashes?: ReadonlyMap<string, string>; progress?: boolean }): Promise<IntegrityReport> {
  const bar = o.progress ? new SingleBar({ stream: process.stderr, format: "verify | {digests} digest files | {logs} log files hashed", hideCursor: true, clearOnComplete: true }, Presets.shades_classic) : undefined;
  bar?.start(0, 0, { digests: 0, logs: 0 });
  const merged: IntegrityReport = { ...(o.window ? { window: o.window } : {}), digests: [], logs: [], problems: [], notes: [] };
  const done = { digests: 0, logs: 0 };
  try {
    for (const i of inputs) {
      const base = { ...done };
      const r = await verifyIntegrity(i.store, i.keys, {
        ...(o.window ? { window: o.window } : {}),
        ...(o.concurrency ? { concurrency: o.concurrency } : {}),
        ...(o.knownHashes ? { knownHashes: o.knownHashes } : {}),
        onProgress: (p) => {
          done.digests = base.digests + p.digests;
          done.logs = base.logs + p.logs;
          bar?.update(0, { ...done });
        },
      });
      merged.digests.push(...r.digests);
      merged.logs.push(...r.logs);
      merged.problems.push(...r.problems);
      merged.notes.push(...r.notes);
    }
  } finally {
    bar?.stop();
  }
  return merged;
}

/** The exit status of a report: 4 when anything is not valid or nothing was found, 2 when a prefix could not be listed, else 0. */
export function integrityExitCode(r: IntegrityReport): number {
  if (!allValid(r)) return EXIT_INTEGRITY;
  return r.problems.length > 0 ? 2 : 0;
}

/**
 * `trailwatch verify PATH|s3://URI...`: CloudTrail log file integrity validation, as `aws cloudtrail
 * validate-logs` does it, for a bucket or a local copy; a table (or JSON) of what is not valid.
 */
export async function runVerify(paths: string[], o: VerifyCommandOptions): Promise<{ code: number; report: IntegrityReport }> {
  if (paths.length === 0) throw new UsageError("give a local folder or an s3://bucket/prefix/ to verify");
  let window: TimeWindow | undefined;
  try {
    window = windowFromFlags(o, new Date());
  } catch (e) {
    if (e instanceof TimeWindowError) throw new UsageError(e.message);
    throw e;
  }
  const concurrency = o.concurrency === undefined ? undefined : Number(o.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) throw new UsageError(`--concurrency must be a whole number from 1 to 256 (got "${o.concurrency}")`);
  const { inputs, close } = await integrityInputs(paths, o, window);
  let report: IntegrityReport;
  try {
    report = await verifyInputs(inputs, { ...(window ? { window } : {}), ...(concurrency ? { concurrency } : {}), progress: o.progress ?? process.stderr.isTTY === true });
  } finally {
    close();
  }
  const toFile = o.output !== undefined && o.output !== "-";
  const text =
    o.format === "json"
      ? JSON.stringify(report, null, 2) + "\n"
      : [
          window ? `Checked ${formatInstant(window.from)} to ${formatInstant(window.to)}` : "Checked every digest found",
          integritySummaryTable(report),
          integrityDetailTable(report, { all: o.all === true, width: toFile ? 160 : process.stdout.columns }) ?? (report.digests.length ? "Every digest and log file checked is valid." : "No digest files found: is log file validation enabled on the trail, and is the window right?"),
        ].join("\n") + "\n";
  if (toFile) {
    await new Promise<void>((resolve, reject) => {
      const s = createWriteStream(o.output!);
      s.on("error", reject);
      s.end(text, () => resolve());
    });
  } else process.stdout.write(text);
  if (!o.quiet) {
    const err: string[] = [];
    for (const p of report.problems) err.push(`trailwatch: not verified: ${printable(p.id)}: ${printable(p.reason)}`);
    for (const n of report.notes) err.push(`trailwatch: ${printable(n)}`);
    if (err.length) process.stderr.write(err.join("\n") + "\n");
  }
  return { code: integrityExitCode(report), report };
}
