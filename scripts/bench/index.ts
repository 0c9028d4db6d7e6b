/**
 * `npm run bench` runs every benchmark in sequence; `npm run bench -- <name> [args]` runs one.
 * To add a benchmark: write `scripts/bench/<name>.ts` exporting a `BenchModule` and list it below.
 */
import type { BenchModule } from "./bench";
import { scanBench } from "./scan";
import { scoringBench } from "./scoring";
import { orgAnomalyBench } from "./org-anomaly";
import { deployBench } from "./deploy";
import { s3ScanBench } from "./s3-scan";
import { hostileBench } from "./hostile";

const BENCHES: BenchModule[] = [
  scanBench,
  scoringBench,
  orgAnomalyBench,
  deployBench,
  s3ScanBench,
  hostileBench,
];

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--help" || name === "-h" || name === "list") {
    process.stdout.write(BENCHES.map((b) => `${b.name.padEnd(16)} ${b.description}`).join("\n") + "\n");
    return 0;
  }
  const chosen = name && !name.startsWith("-") ? BENCHES.filter((b) => b.name === name) : BENCHES;
  if (chosen.length === 0) {
    process.stderr.write(`bench: no benchmark named "${name}" (known: ${BENCHES.map((b) => b.name).join(", ")})\n`);
    return 1;
  }
  const rest = name && !name.startsWith("-") ? args : argv;
  for (const b of chosen) {
    process.stderr.write(`bench: ${b.name} - ${b.description}\n`);
    try {
      await b.run(chosen.length === 1 ? rest : []);
    } catch (e) {
      process.stderr.write(`bench: ${b.name} failed: ${(e as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
