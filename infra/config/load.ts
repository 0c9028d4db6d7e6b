import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { formatPath } from "../../functions/core/rules/tuning/path";
import { validateDeploymentConfig, type ConfigIssue, type DeploymentConfig } from "./schema";

/** The config used when neither --config nor TRAILWATCH_CONFIG says otherwise. */
export const DEFAULT_CONFIG = resolve(__dirname, "example.json");

/** A config that cannot be used; `issues` lists every problem as `path: message`. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source} is not a valid trailwatch config:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
  }
}

/** `a.b[0].c`, or `(top level)` for the root (the same paths the rule tuning's messages name). */
export { formatPath };

/** Issues as `path: message` lines. */
export function formatIssues(issues: ConfigIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Validates an already parsed config object; throws ConfigError listing every issue. */
export function parseConfig(raw: unknown, source = "config", opts: { baseDir?: string } = {}): DeploymentConfig {
  const res = validateDeploymentConfig(raw, opts);
  if (!res.ok) throw new ConfigError(source, formatIssues(res.issues));
  return res.config;
}

/** Reads and validates a JSON config file. */
export function loadConfig(file: string): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  // A rules folder is named relative to the config file.
  return parseConfig(raw, file, { baseDir: dirname(resolve(file)) });
}

/** The config file to use: `--config <file>` / `--config=<file>`, else TRAILWATCH_CONFIG, else the example. */
export function configPath(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const i = argv.findIndex((a) => a === "--config" || a.startsWith("--config="));
  if (i >= 0) {
    const v = argv[i]!.includes("=") ? argv[i]!.slice("--config=".length) : argv[i + 1];
    if (!v) throw new ConfigError("--config", ["give a file: --config path/to/config.json"]);
    return resolve(v);
  }
  return env.TRAILWATCH_CONFIG ? resolve(env.TRAILWATCH_CONFIG) : DEFAULT_CONFIG;
}
