/**
 * One measurement of the hostile-input benchmark, run by `hostile.ts` in a fresh child process so
 * its peak memory is its own. Prints one JSON line on stdout.
 *
 *   cli FILE        LocalLogSource + scanLogs + RuleEngine(catalog): what `trailwatch scan FILE` does
 *   analyzer FILE   the log analyzer's work on an object's bytes: decodeLogBytes + scanLogs (as
 *                   functions/app/log-analyzer/analyzer.ts does after GetObject)
 *   idle            load the modules only (the baseline memory of a process)
 */
import { readFileSync } from "node:fs";
import { decodeLogBytes } from "../../functions/adapters/log-content";
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import type { LogFileContent, LogSource } from "../../functions/core/ports";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { scanLogs, type ScanResult } from "../../functions/core/scan";

export interface HostileMeasurement {
  kind: string;
  file: string;
  records: number;
  invalidRecords: number;
  alerts: number;
  /** The first file error, as the summary would print it. */
  error?: string;
  /** The first invalid record, with its position. */
  firstInvalid?: string;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

async function measure(kind: string, file: string): Promise<HostileMeasurement> {
  if (kind === "idle") return { kind, file: "", records: 0, invalidRecords: 0, alerts: 0, wallMs: 0, cpuMs: 0, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let result: ScanResult;
  if (kind === "cli") {
    result = await scanLogs(new LocalLogSource([file]), new RuleEngine(catalog));
  } else if (kind === "analyzer") {
    const content = await decodeLogBytes(readFileSync(file), file);
    const one: LogSource = {
      async *files() {
        yield { id: file };
      },
      read: async (): Promise<LogFileContent> => content,
    };
    result = await scanLogs(one, new RuleEngine(catalog), { maxRecordProblems: 5 });
  } else throw new Error(`unknown measurement "${kind}" (cli, analyzer, idle)`);
  const cpu = process.cpuUsage(c0);
  return {
    kind,
    file,
    records: result.stats.records,
    invalidRecords: result.stats.invalidRecords,
    alerts: result.alerts.length,
    ...(result.fileErrors[0] ? { error: result.fileErrors[0].reason } : {}),
    ...(result.invalidRecords[0] ? { firstInvalid: `${result.invalidRecords[0].where}: ${result.invalidRecords[0].reason}` } : {}),
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

if (require.main === module) {
  const [kind, file] = process.argv.slice(2);
  measure(kind ?? "", file ?? "")
    .then((m) => process.stdout.write(JSON.stringify(m) + "\n"))
    .catch((e) => {
      process.stderr.write(`hostile-measure: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
}
