import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Where every rule's examples live: `test/fixtures/rules/<rule-id>.json`. */
export const EXAMPLES_DIR = join(__dirname, "../../fixtures/rules");

/** A rule's examples: records it must fire on and records it must not. */
export interface Examples {
  positive: Record<string, unknown>[];
  negative: Record<string, unknown>[];
}

export function examplesPath(ruleId: string): string {
  return join(EXAMPLES_DIR, `${ruleId}.json`);
}

/** The examples of a rule, or undefined when it has no file. Throws with the file name on bad JSON. */
export function loadExamples(ruleId: string): Examples | undefined {
  const file = examplesPath(ruleId);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const o = parsed as Partial<Examples>;
  return { positive: Array.isArray(o.positive) ? o.positive : [], negative: Array.isArray(o.negative) ? o.negative : [] };
}

/** Rule ids that have an example file. */
export function exampleIds(): string[] {
  return readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}
