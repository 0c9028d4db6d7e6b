import { Command, Option, CommanderError } from "commander";
import { OUTPUT_FORMATS, type OutputFormat } from "./output";
import { runScan, UsageError } from "./commands/scan";

/**
 * The `trailwatch` command line. Returns the exit code instead of exiting, so tests can call it.
 */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command()
    .name("trailwatch")
    .description("Watch AWS CloudTrail: detect dangerous and new activity in CloudTrail logs.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("scan")
    .description("Run the rule catalog over local CloudTrail log files and directories")
    .argument("<paths...>", "files or directories (.json.gz, .json, .jsonl, .zip; searched recursively)")
    .addOption(new Option("-f, --format <format>", "output format").choices(OUTPUT_FORMATS as string[]).default("table"))
    .option("-o, --output <file>", "write alerts to this file instead of stdout")
    .option("--min-severity <severity>", "only alerts at or above: info, low, medium, high, critical")
    .option("--rules <ids>", "comma-separated rule ids to run (default: all)")
    .option("--settings <file>", "JSON file of per-rule settings, keyed by rule id")
    .option("--fail-on <severity>", "exit with status 3 when an alert at or above this severity is found")
    .option("--no-progress", "never show the progress bar")
    .action(async (paths: string[], o: { format: OutputFormat; output?: string; minSeverity?: string; rules?: string; settings?: string; failOn?: string; progress: boolean }) => {
      code = (await runScan(paths, { ...o, progress: o.progress && process.stderr.isTTY === true })).code;
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
    .action(async (o: { format: "table" | "json" | "markdown" }) => {
      const { listRules } = await import("./commands/rules");
      listRules(o.format);
    });

  program
    .command("coverage")
    .description("Show the MITRE ATT&CK techniques the alerts cover, as a table or as an ATT&CK Navigator layer")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "navigator"]).default("table"))
    .option("-o, --output <file>", "write to this file instead of stdout")
    .action(async (o: { format: "table" | "navigator"; output?: string }) => {
      const { showCoverage } = await import("./commands/rules");
      await showCoverage(o.format, o.output);
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
    if (e instanceof UsageError) {
      process.stderr.write(`trailwatch: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return code;
}
