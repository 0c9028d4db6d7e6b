import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadRulesFolder, type LoadedRule, type RuleFileProblem } from "../adapters/local/rules-folder";
import { catalog } from "../core/rules/catalog";
import type { CatalogRule } from "../core/rules/threshold-rule";
import { compileTuning, type CompiledTuning } from "../core/rules/tuning/compile";
import { formatPath } from "../core/rules/tuning/path";
import { cell } from "./terminal";

/** Settings or rules the CLI cannot use; the message lists every problem, one a line. */
export class RuleSetError extends Error {
  override name = "RuleSetError";
}

/** The rules a command runs: the catalog and the custom rules, with the tuning compiled for them. */
export interface RuleSet {
  rules: CatalogRule[];
  custom: LoadedRule[];
  tuning: CompiledTuning;
  /** The rules folder read, if any. */
  folder?: string;
}

/** Longest settings file read (it is written by people; suppressions with reasons stay far below). */
const MAX_SETTINGS_BYTES = 4 * 1024 * 1024;

/** The settings file as a JSON object (the shape of the deployment config's `rules` section). */
export function readSettingsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new RuleSetError(`--settings ${cell(path)}: cannot read (${cell((e as NodeJS.ErrnoException).code ?? (e as Error).message)})`);
  }
  if (Buffer.byteLength(text) > MAX_SETTINGS_BYTES) throw new RuleSetError(`--settings ${cell(path)}: larger than ${MAX_SETTINGS_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new RuleSetError(`--settings ${cell(path)}: not valid JSON (${cell((e as Error).message)})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    const got = json === null ? "null" : Array.isArray(json) ? "an array" : `a ${typeof json}`;
    throw new RuleSetError(
      `--settings ${cell(path)}: must be a JSON object keyed by rule id, the shape of the deployment config's "rules" section, e.g. ` +
        `{"ssm.plaintext-secret-parameter": {"settings": {"namePatterns": ["secret"]}}, "iam.user-created": {"enabled": false}} (got ${got})`,
    );
  }
  return json as Record<string, unknown>;
}

/** The problems of a rules folder as one error, every file named. */
export function folderError(dir: string, problems: readonly RuleFileProblem[]): RuleSetError {
  return new RuleSetError(
    `the rules folder ${cell(dir)} has ${problems.length} file(s) that cannot be used (fix or remove them; \`trailwatch test-rules\` shows the rest):\n` +
      problems.map((p) => `  ${cell(p.file)}: ${cell(p.message)}`).join("\n"),
  );
}

/**
 * Reads the settings file (`--settings`) and the rules folder (`--rules-dir`, else the file's
 * `folder`, relative to the file) and compiles the tuning for the catalog and the folder's rules.
 * Any problem (a rule file that cannot be used, a setting, a suppression) stops here with every
 * problem named: a scan never runs with a rule silently missing or a suppression half understood.
 */
export function loadRuleSet(opts: { settings?: string; rulesDir?: string; examples?: boolean }): RuleSet {
  const section = opts.settings !== undefined ? readSettingsFile(opts.settings) : {};
  const folderGiven = typeof section.folder === "string" && opts.settings !== undefined ? resolve(dirname(opts.settings), section.folder) : undefined;
  const dir = opts.rulesDir ?? folderGiven;
  let custom: LoadedRule[] = [];
  if (dir !== undefined) {
    const f = loadRulesFolder(dir, { reservedIds: new Set(catalog.map((r) => r.id)), examples: opts.examples === true });
    if (f.problems.length > 0) throw folderError(dir, f.problems);
    custom = f.rules;
  }
  const rules: CatalogRule[] = [...catalog, ...custom.map((c) => c.rule)];
  const { tuning, issues } = compileTuning(rules, section, { path: [] });
  if (issues.length > 0) {
    const where = opts.settings !== undefined ? `--settings ${cell(opts.settings)}` : "settings";
    throw new RuleSetError(`${where} has ${issues.length} problem(s):\n${issues.map((i) => `  ${cell(formatPath(i.path))}: ${cell(i.message)}`).join("\n")}`);
  }
  return { rules, custom, tuning, ...(dir !== undefined ? { folder: dir } : {}) };
}
