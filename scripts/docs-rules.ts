/**
 * Writes docs/rules.md, the list of every alert a deployment can raise with its runbook, from the
 * code (`npm run docs:rules`). `test/docs/rules-doc.test.ts` fails when the file is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listAlerts } from "../functions/core/rules/listing";
import { rulesMarkdown } from "../functions/cli/format/rules";

export const RULES_DOC = join(__dirname, "..", "docs", "rules.md");

if (require.main === module) {
  writeFileSync(RULES_DOC, rulesMarkdown(listAlerts()));
  process.stdout.write(`wrote ${RULES_DOC}\n`);
}
