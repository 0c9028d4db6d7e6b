import { readFileSync } from "node:fs";
import { join } from "node:path";

const FIXTURES = join(__dirname, "../../fixtures/coverage");

function tsv(file: string): string[][] {
  return readFileSync(join(FIXTURES, file), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.split("\t"));
}

/** Stratus Red Team's AWS techniques (id and title), from `test/fixtures/coverage/stratus-techniques.tsv`. */
export function stratusTechniques(): { id: string; title: string }[] {
  return tsv("stratus-techniques.tsv").map(([id, title]) => ({ id: id!, title: title! }));
}

/** Sigma's AWS CloudTrail rules (group, file, id, title), from `test/fixtures/coverage/sigma-cloudtrail-rules.tsv`. */
export function sigmaRules(): { group: string; file: string; id: string; title: string }[] {
  return tsv("sigma-cloudtrail-rules.tsv").map(([group, file, id, title]) => ({ group: group!, file: file!, id: id!, title: title! }));
}
