import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rulesMarkdown } from "../../functions/cli/format/rules";
import { listAlerts } from "../../functions/core/rules/listing";

describe("docs/rules.md", () => {
  it("is what `npm run docs:rules` writes from the code today", () => {
    const onDisk = readFileSync(join(__dirname, "../../docs/rules.md"), "utf8");
    const generated = rulesMarkdown(listAlerts());
    if (onDisk !== generated) throw new Error("docs/rules.md is stale: run `npm run docs:rules` and commit the result");
    expect(onDisk).toContain("## secretsmanager.secrets-read-burst");
  });
});
