/**
 * `npm run generate -- --out DIR [...]`: writes a synthetic AWS Organization's CloudTrail logs
 * (routine activity, injected attacks, a principal with new behaviour, late and digest files) in
 * the real S3 layout, plus manifest.json.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { generateOrganization } from "./generator";

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a positive number, got "${v}"`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("generate-org")
    .description("Generate a synthetic AWS Organization's CloudTrail logs in the S3 layout, with injected attacks listed in manifest.json")
    .requiredOption("--out <dir>", "output directory (must not already contain AWSLogs/)")
    .option("--seed <seed>", "seed; the same seed and options give the same bytes", "trailwatch")
    .option("--days <n>", "days of activity", positiveInt, 35)
    .option("--end <yyyy-mm-dd>", "last day generated (UTC, inclusive); default today")
    .addOption(new Option("--layout <layout>", "S3 key layout").choices(["account", "organization"]).default("account"))
    .option("--scale <x>", "multiply routine volume (1 = about 3,500 records/day for the default organization)", positiveNumber)
    .option("--records-per-day <n>", "target routine records per day (sets the scale)", positiveInt)
    .option("--max-records-per-file <n>", "split busier delivery windows into several files", positiveInt)
    .option("--no-attacks", "routine activity only")
    .option("--quiet", "no progress on stderr")
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch {
    return 1;
  }
  const o = program.opts<{ out: string; seed: string; days: number; end?: string; layout: "account" | "organization"; scale?: number; recordsPerDay?: number; maxRecordsPerFile?: number; attacks: boolean; quiet?: boolean }>();
  const t0 = performance.now();
  try {
    const m = await generateOrganization({
      outDir: o.out, seed: o.seed, days: o.days, endDate: o.end, layout: o.layout, scale: o.scale, recordsPerDay: o.recordsPerDay,
      maxRecordsPerFile: o.maxRecordsPerFile, attacks: o.attacks,
      onProgress: o.quiet || !process.stderr.isTTY ? undefined : (p) => process.stderr.write(`\r\x1b[Kgenerating: day ${p.day}/${p.days}, ${p.records.toLocaleString("en-US")} records, ${p.files.toLocaleString("en-US")} files, ${(p.rawBytes / 1e6).toFixed(0)} MB of JSON`),
    });
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    process.stderr.write(
      `${o.quiet || !process.stderr.isTTY ? "" : "\n"}wrote ${m.counts.files.toLocaleString("en-US")} log files (${m.counts.records.toLocaleString("en-US")} records, ` +
        `${(m.counts.rawBytes / 1e6).toFixed(0)} MB of JSON, ${(m.counts.storedBytes / 1e6).toFixed(1)} MB gzipped), ${m.counts.digestFiles} digest files, ` +
        `${m.attacks.length} injected attacks, ${m.lateFiles.length} late files to ${o.out} in ${s} s (${m.firstDay} .. ${m.lastDay}, ${m.organizationId})\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`generate-org: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
