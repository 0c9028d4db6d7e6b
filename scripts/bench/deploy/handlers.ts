import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";

/** A Lambda handler the stack deploys. */
export interface DeployedHandler {
  /** Short name: the entry's path under `functions/handlers/` without `.ts`, e.g. `scoring/read`. */
  name: string;
  /** Entry relative to the repository root, as given to `NodeFunction`. */
  entry: string;
  /** Construct files that name the entry (empty when only the contracts list it so far). */
  declaredIn: string[];
}

/**
 * The handlers of the contracts between helpers: listed too so that a capability whose construct is
 * still being written is measured anyway (its handler file exists before the construct names it).
 */
export const CONTRACT_ENTRIES = [
  "functions/handlers/log-analyzer.ts",
  "functions/handlers/trail-guard.ts",
  "functions/handlers/trail-heartbeat.ts",
  "functions/handlers/hec-forwarder.ts",
  "functions/handlers/muster.ts",
  "functions/handlers/discernment.ts",
  "functions/handlers/scoring/read.ts",
  "functions/handlers/scoring/score.ts",
  "functions/handlers/scoring/alert.ts",
];

const ENTRY_LITERAL = /["'`](functions\/handlers\/[\w./-]+\.ts)["'`]/g;

async function tsFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) {
      if (d.name !== "node_modules" && d.name !== "cdktf.out") out.push(...(await tsFiles(p)));
    } else if (d.name.endsWith(".ts") && !d.name.endsWith(".test.ts") && !d.name.endsWith(".d.ts")) {
      out.push(p);
    }
  }
  return out;
}

/**
 * Every handler entry the stack deploys: the `functions/handlers/*.ts` literals in the cdktf
 * constructs (`modules/`, `infra/`: `NodeFunction` entries and defaults such as the HEC forwarder's),
 * together with the handlers the contracts name. Sorted by name.
 */
export async function deployedHandlers(root: string): Promise<DeployedHandler[]> {
  const byEntry = new Map<string, Set<string>>();
  for (const e of CONTRACT_ENTRIES) byEntry.set(e, new Set());
  for (const file of [...(await tsFiles(join(root, "modules"))), ...(await tsFiles(join(root, "infra")))]) {
    // The building block itself only names entries as examples in its docs.
    if (relative(root, file).startsWith(join("modules", "lambda-function"))) continue;
    const text = await readFile(file, "utf8");
    for (const m of text.matchAll(ENTRY_LITERAL)) {
      const entry = m[1]!;
      if (!byEntry.has(entry)) byEntry.set(entry, new Set());
      byEntry.get(entry)!.add(relative(root, file));
    }
  }
  return [...byEntry]
    .map(([entry, files]) => ({ name: entry.replace(/^functions\/handlers\//, "").replace(/\.ts$/, ""), entry, declaredIn: [...files].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
