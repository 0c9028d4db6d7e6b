/**
 * Hostile-input benchmark: peak memory (RSS) of reading the largest legitimate file and each attack on
 * the read limits (gzip bomb, zip bomb, deep nesting, one huge record, dense objects), each in a
 * fresh child process, through both readers: the CLI's (`LocalLogSource` + `scanLogs`) and the log
 * analyzer's (`decodeLogBytes` on the object's bytes + `scanLogs`).
 *
 *   npm run bench -- hostile
 *
 * The inputs are written once to `.bench/hostile/` (a few hundred MB on disk). Memory is measured,
 * never asserted in tests; the target is that no attack costs more than the largest legitimate file.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Table from "cli-table3";
import { BENCH_DIR, machine, runChild, type BenchModule } from "./bench";
import { hostileCases, storedBytes } from "./hostile-cases";
import type { HostileMeasurement } from "./hostile-measure";

const MEASURE = join(__dirname, "hostile-measure.ts");

async function measure(kind: string, file = ""): Promise<HostileMeasurement> {
  const out = await runChild(MEASURE, [kind, file], { pinCpu: false });
  return JSON.parse(out.trim().split("\n").pop()!) as HostileMeasurement;
}

/** The part of what a run reported that names the limit crossed (or the first problem). */
function reported(m: HostileMeasurement): string {
  const parts = (m.error ?? "").split("; ").filter(Boolean);
  const limit = parts.filter((p) => /limit|deeper/.test(p));
  const first = limit.length ? limit.join("; ") : parts[0] ?? "";
  const invalid = m.invalidRecords ? `${fmt(m.invalidRecords)} invalid record(s), first: ${m.firstInvalid ?? ""}` : "";
  return [first, invalid].filter(Boolean).join(" / ").slice(0, 220);
}

const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function run(args: string[]): Promise<void> {
  if (args.length) throw new Error(`hostile bench: takes no arguments (got ${args.join(" ")})`);
  const startMachine = machine();
  const cases = await hostileCases(join(BENCH_DIR, "hostile"), (s) => process.stderr.write(s + "\n"));
  const idle = await measure("idle");
  const rows: { name: string; what: string; stored: number; cli: HostileMeasurement; analyzer: HostileMeasurement }[] = [];
  for (const c of cases) {
    process.stderr.write(`\r\x1b[Khostile bench: ${c.name}`);
    const cli = await measure("cli", c.file);
    const analyzer = await measure("analyzer", c.file);
    rows.push({ name: c.name, what: c.what, stored: await storedBytes(c.file), cli, analyzer });
  }
  process.stderr.write("\r\x1b[K");
  const legit = rows[0]!;
  const t = new Table({ head: ["input", "on disk MB", "records read", "alerts", "peak RSS CLI MB", "peak RSS analyzer MB", "CPU s (CLI)", "reported"], style: { head: [], border: [] }, colWidths: [null, null, null, null, null, null, null, 60] as never, wordWrap: true });
  for (const r of rows) {
    t.push([r.name, fmt(r.stored / 1e6, 1), fmt(r.cli.records), fmt(r.cli.alerts), fmt(r.cli.maxRssMb), fmt(r.analyzer.maxRssMb), fmt(r.cli.cpuMs / 1000, 2), reported(r.cli)]);
  }
  t.push(["process baseline (modules loaded)", "", "", "", fmt(idle.maxRssMb), fmt(idle.maxRssMb), "", ""]);
  const worst = Math.max(...rows.slice(1).flatMap((r) => [r.cli.maxRssMb, r.analyzer.maxRssMb]));
  const legitMax = Math.max(legit.cli.maxRssMb, legit.analyzer.maxRssMb);
  const lines = [
    "",
    "hostile-input benchmark (each measurement in a fresh process; peak RSS = the process's maximum resident set)",
    t.toString(),
    `largest legitimate file: ${fmt(legitMax)} MB peak RSS; worst attack: ${fmt(worst)} MB (${fmt((worst / legitMax) * 100)}% of it)`,
    `machine: ${startMachine}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  await writeFile(join(BENCH_DIR, "hostile-results.json"), JSON.stringify({ machine: startMachine, idle, rows }, null, 2) + "\n");
}

export const hostileBench: BenchModule = {
  name: "hostile",
  description: "peak memory of the largest legitimate file vs gzip bomb, zip bomb, deep nesting, one huge record, dense objects",
  run,
};
