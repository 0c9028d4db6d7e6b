import { Command, Option, CommanderError } from "commander";
import { describeIoError, isClosedPipe, OUTPUT_FORMATS, OutputError, type OutputFormat } from "./output";
import { runScan, UsageError, type ScanCommandOptions } from "./commands/scan";
import { cell } from "./terminal";

/** Set when writing to stdout failed for another reason than a closed pipe (e.g. `> /dev/full`). */
let stdoutFailure: string | undefined;
let stdoutGuarded = false;

/**
 * Keeps a failed write to stdout from crashing the process with a stack trace: a reader that went
 * away (`| head -1`, EPIPE) ends the output quietly; any other failure is remembered and reported.
 */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", (e) => {
    if (!isClosedPipe(e)) stdoutFailure ??= `cannot write to stdout: ${describeIoError(e)}`;
  });
}

/**
 * The `trailwatch` command line. Returns the exit code instead of exiting, so tests can call it.
 */
export async function main(argv: string[]): Promise<number> {
  guardStdout();
  stdoutFailure = undefined;
  let code = 0;
  const program = new Command()
    .name("trailwatch")
    .description("Watch AWS CloudTrail: detect dangerous and new activity in CloudTrail logs.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program
    .command("scan")
    .description("Run the rule catalog over CloudTrail logs: local files, an S3 bucket (s3://bucket/prefix/), or CloudTrail event history (--lookup-events)")
    .argument("[paths...]", "files, directories (.json.gz, .json, .jsonl, .zip; searched recursively) or s3://bucket/prefix/ URIs")
    .addOption(new Option("-f, --format <format>", "output format").choices(OUTPUT_FORMATS as string[]).default("table"))
    .option("-o, --output <file>", "write alerts to this file instead of stdout")
    .option("--min-severity <severity>", "only alerts at or above: info, low, medium, high, critical")
    .option("--rules <ids>", "comma-separated rule ids to run (default: all)")
    .option("--settings <file>", "JSON file tuning the rules, the shape of the deployment config's \"rules\" section: per rule id enabled, severity, settings, suppressions; shared; organizationalUnits; folder")
    .option("--rules-dir <dir>", "a folder of your own rules: TypeScript (*.ts) and Sigma for CloudTrail (*.yml), run with the catalog")
    .option("--summary <file>", "also write the scan summary (counts, problems, suppressed matches) as JSON to this file")
    .option("--fail-on <severity>", "exit with status 3 when an alert at or above this severity is found")
    .option("--from <time>", "start of the window, UTC: 2026-11-20 or 2026-11-20T10:00[:00][Z] (needed for s3:// sources)")
    .option("--to <time>", "end of the window, UTC (a date alone includes that whole day; default: now)")
    .option("--since <duration>", "window ending now, e.g. 30m, 24h, 7d (instead of --from)")
    .option("--accounts <ids>", "s3:// sources: comma-separated account ids to read (default: every account found)")
    .option("--regions <names>", "s3:// sources: comma-separated regions to read (default: every region found)")
    .option("--lookup-events", "read management events from CloudTrail event history (LookupEvents) instead of files; needs --region")
    .option("--region <region>", "AWS region for --lookup-events (and the S3 client's starting region)")
    .option("--profile <name>", "AWS profile for credentials and region (default: the standard credential chain)")
    .option("--concurrency <n>", "s3:// sources: objects fetched at once (default 16)")
    .option("--verify", "also check the files read against CloudTrail's signed digests; each alert gets context.logIntegrity (exit 4 when something is not valid)")
    .option("--public-keys <files>", "with --verify: files saved from aws cloudtrail list-public-keys (offline; default: ListPublicKeys)")
    .option("-j, --jobs <n>", "local files: worker threads that read and evaluate files at once (default: one per core; 1: no workers)")
    .option("--no-progress", "never show the progress bar")
    .action(async (paths: string[], o: ScanCommandOptions & { progress: boolean }) => {
      code = (await runScan(paths, { ...o, progress: o.progress && process.stderr.isTTY === true })).code;
    });

  program
    .command("test-rules")
    .description("Run every rule of a rules folder over its examples (a TypeScript rule's examples, <file>.tests.json beside any rule) and report like a test runner (exit 1 on a failure)")
    .argument("<dir>", "the rules folder")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .action(async (dir: string, o: { format: "table" | "json" }) => {
      const { runTestRules } = await import("./commands/test-rules");
      code = runTestRules(dir, { format: o.format });
    });

  program
    .command("verify")
    .description("Check CloudTrail log file integrity (digest signatures, the digest chain, each log file's hash), as aws cloudtrail validate-logs does")
    .argument("<paths...>", "local copies of a trail bucket (folders with AWSLogs/) or s3://bucket/prefix/ URIs")
    .option("--from <time>", "start of the window, UTC: 2026-11-20 or 2026-11-20T10:00[:00][Z] (needed for s3:// sources)")
    .option("--to <time>", "end of the window, UTC (a date alone includes that whole day; default: now)")
    .option("--since <duration>", "window ending now, e.g. 24h, 7d (instead of --from)")
    .option("--accounts <ids>", "s3:// sources: comma-separated account ids (default: every account found)")
    .option("--regions <names>", "s3:// sources: comma-separated regions (default: every region found)")
    .option("--profile <name>", "AWS profile for credentials and region (default: the standard credential chain)")
    .option("--public-keys <files>", "comma-separated files saved from aws cloudtrail list-public-keys, to verify offline (default: ListPublicKeys in each digest's region)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .option("-o, --output <file>", "write the report to this file instead of stdout")
    .option("--all", "list every digest and log file in the table, not only those that are not valid")
    .option("--concurrency <n>", "log files hashed at once (default 16)")
    .option("--no-progress", "never show the progress bar")
    .action(async (paths: string[], o: Record<string, unknown> & { progress: boolean }) => {
      const { runVerify } = await import("./commands/verify");
      code = (await runVerify(paths, { ...(o as object), progress: o.progress && process.stderr.isTTY === true })).code;
    });

  program
    .command("hunt")
    .description("Hunt back through CloudTrail history on AWS: start a retro-hunt (Step Functions Distributed Map), follow it, print its summary and alerts")
    .option("--from <time>", "start of the window, UTC: 2026-10-01 or 2026-10-01T06:00[:00][Z]")
    .option("--to <time>", "end of the window, UTC (a date alone includes that whole day; default: now)")
    .option("--rules <ids>", "comma-separated rule ids to hunt with (default: every rule)")
    .option("--accounts <ids>", "comma-separated account ids (default: every account in the bucket)")
    .option("--regions <names>", "comma-separated regions (default: every region in the bucket)")
    .option("--min-severity <severity>", "only alerts at or above: info, low, medium, high, critical")
    .option("--publish", "also publish the alerts to the alert topic, marked retro-hunt (the deployment must allow it)")
    .option("--state-machine <arn>", "the retro-hunt state machine (terraform output retro-hunt-state-machine-arn)")
    .option("--config <file>", "the deployment config, instead of --state-machine")
    .option("--execution <arn>", "follow a hunt already started instead of starting one")
    .option("--name <name>", "execution name (default hunt-<time>-<random>)")
    .addOption(new Option("-f, --format <format>", "output format of the alerts").choices(OUTPUT_FORMATS as string[]).default("table"))
    .option("-o, --output <file>", "write the alerts to this file instead of stdout")
    .option("--fail-on <severity>", "exit with status 3 when an alert at or above this severity is found")
    .option("--profile <name>", "AWS profile for credentials (default: the standard credential chain)")
    .option("--poll-seconds <n>", "seconds between status requests (default 5)")
    .option("--no-progress", "never show the progress bar")
    .action(async (o: Record<string, unknown> & { progress: boolean }) => {
      const { runHunt } = await import("./commands/hunt");
      code = (await runHunt({ ...(o as never as { format: OutputFormat }), progress: o.progress && process.stderr.isTTY === true })).code;
    });

  program
    .command("replay")
    .description("Run the hourly anomaly detection (discernment) over local logs, hour by hour, with DuckDB")
    .argument("<paths...>", "directories of CloudTrail logs in the S3 layout")
    .requiredOption("--from <iso>", "start of the replay (ISO 8601)")
    .requiredOption("--to <iso>", "end of the replay (ISO 8601)")
    .option("--learn-until <iso>", "learn the baseline up to this time in day-long windows without alerting, then replay hourly")
    .option("--state <dir>", "directory of the local baseline store (kept between runs)")
    .option("--account <ids>", "comma-separated account ids (default: every account found)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "jsonl"]).default("table"))
    .option("--no-progress", "never show the progress bar")
    .action(async (paths: string[], o: Record<string, unknown>) => {
      const { runReplay } = await import("./commands/replay");
      code = await runReplay(paths, o as never);
    });

  program
    .command("score")
    .description("Score each (principal, API) pair of one account's day with the built-in scorer")
    .argument("<paths...>", "directories of CloudTrail logs in the S3 layout")
    .requiredOption("--account <id>", "12-digit account id")
    .requiredOption("--region <region>", "region of the logs")
    .requiredOption("--day <yyyy/mm/dd>", "day of interest, e.g. 2026/11/20")
    .option("--threshold <n>", "alert above this score (default: INSIGHT_THRESHOLD or the built-in default)")
    .option("--history-days <n>", "preceding days the built-in scorer learns from")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "jsonl"]).default("table"))
    .action(async (paths: string[], o: Record<string, unknown>) => {
      const { runScore } = await import("./commands/score");
      code = await runScore(paths, o as never);
    });

  program
    .command("rules")
    .description("List every alert a deployment can raise: the rule catalog, threshold rules, anomaly, scoring, heartbeat and trail-guard alerts")
    .addOption(new Option("-f, --format <format>", "output format (markdown: with false positives and runbooks)").choices(["table", "json", "markdown"]).default("table"))
    .option("--rules-dir <dir>", "also list the rules of this folder (TypeScript and Sigma)")
    .action(async (o: { format: "table" | "json" | "markdown"; rulesDir?: string }) => {
      const { listRules } = await import("./commands/rules");
      listRules(o.format, o.rulesDir);
    });

  program
    .command("coverage")
    .description("Show the MITRE ATT&CK techniques the alerts cover, as a table or as an ATT&CK Navigator layer")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "navigator"]).default("table"))
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--rules-dir <dir>", "also count the ATT&CK techniques of the rules of this folder")
    .action(async (o: { format: "table" | "navigator"; output?: string; rulesDir?: string }) => {
      const { showCoverage } = await import("./commands/rules");
      await showCoverage(o.format, o.output, o.rulesDir);
    });

  program
    .command("demo")
    .description("Generate the demo organization's logs (if absent) and run every local analysis on them")
    .option("--dir <dir>", "where the demo logs live", ".demo")
    .option("--days <n>", "days of activity to generate", "35")
    .action(async (o: { dir: string; days: string }) => {
      const { runDemo } = await import("./commands/demo");
      code = await runDemo({ dir: o.dir, days: Number(o.days) });
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    // Usage and output errors are said in one line (their messages escape what came from outside).
    if (e instanceof UsageError || e instanceof OutputError) {
      process.stderr.write(`trailwatch: ${e.message}\n`);
      return 1;
    }
    if (isClosedPipe(e)) return code;
    throw e;
  }
  if (stdoutFailure) {
    process.stderr.write(`trailwatch: ${cell(stdoutFailure)}\n`);
    return 1;
  }
  return code;
}
