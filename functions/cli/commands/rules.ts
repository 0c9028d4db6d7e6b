import { writeFile } from "node:fs/promises";
import { loadRulesFolder } from "../../adapters/local/rules-folder";
import { catalog } from "../../core/rules/catalog";
import { listAlerts } from "../../core/rules/listing";
import type { CatalogRule } from "../../core/rules/threshold-rule";
import { folderError } from "../rule-set";
import { UsageError } from "./scan";
import { coverageTable, navigatorLayer } from "../format/navigator";
import { rulesJson, rulesMarkdown, rulesTable } from "../format/rules";
import { cell, useColor } from "../terminal";

export type RulesFormat = "table" | "json" | "markdown";

/** The rules of a rules folder (`--rules-dir`), refused with every problem named when a file cannot be used. */
function folderRules(dir: string | undefined): CatalogRule[] {
  if (dir === undefined) return [];
  const f = loadRulesFolder(dir, { reservedIds: new Set(catalog.map((r) => r.id)) });
  if (f.problems.length > 0) throw new UsageError(folderError(dir, f.problems).message);
  return f.rules.map((r) => r.rule);
}

/** `trailwatch rules`: every alert a deployment can raise (with `rulesDir`, your own rules too). */
export function listRules(format: RulesFormat, rulesDir?: string): void {
  const list = listAlerts(folderRules(rulesDir));
  if (format === "json") process.stdout.write(rulesJson(list));
  else if (format === "markdown") process.stdout.write(rulesMarkdown(list));
  else process.stdout.write(rulesTable(list, { color: useColor(process.stdout), width: process.stdout.columns }));
}

export type CoverageFormat = "table" | "navigator";

/** `trailwatch coverage`: the MITRE ATT&CK techniques the alerts cover, as a table or a Navigator layer. */
export async function showCoverage(format: CoverageFormat, output?: string, rulesDir?: string): Promise<void> {
  const list = listAlerts(folderRules(rulesDir));
  const text = format === "navigator" ? JSON.stringify(navigatorLayer(list), null, 2) + "\n" : coverageTable(list, { color: output === undefined && useColor(process.stdout) });
  if (output && output !== "-") {
    await writeFile(output, text);
    process.stderr.write(`trailwatch: wrote ${format === "navigator" ? "the ATT&CK Navigator layer" : "the coverage table"} to ${cell(output)}${format === "navigator" ? " (open it at https://mitre-attack.github.io/attack-navigator/ with \"Open Existing Layer\")" : ""}\n`);
  } else process.stdout.write(text);
}
