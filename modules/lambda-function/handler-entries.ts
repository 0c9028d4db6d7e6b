import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { buildBundles, REPO_ROOT } from "./bundle";

/** A Lambda handler the stack deploys. */
export interface HandlerEntry {
  /** Relative to the repository root, as given to `NodeFunction`, e.g. `functions/handlers/scoring/read.ts`. */
  entry: string;
  /** The construct files that name it. */
  declaredIn: string[];
}

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
 * Every handler entry the cdktf constructs name: the `functions/handlers/*.ts` literals in `modules/`
 * and `infra/` (NodeFunction entries are literals by convention, so the stack's handlers can be
 * bundled before the synchronous constructs run). `modules/lambda-function` itself is left out: it
 * names entries only as examples. Sorted by entry.
 */
export async function handlerEntries(root: string = REPO_ROOT): Promise<HandlerEntry[]> {
  const byEntry = new Map<string, Set<string>>();
  for (const file of [...(await tsFiles(join(root, "modules"))), ...(await tsFiles(join(root, "infra")))]) {
    if (relative(root, file).startsWith(join("modules", "lambda-function"))) continue;
    for (const m of (await readFile(file, "utf8")).matchAll(ENTRY_LITERAL)) {
      const entry = m[1]!;
      if (!byEntry.has(entry)) byEntry.set(entry, new Set());
      byEntry.get(entry)!.add(relative(root, file));
    }
  }
  return [...byEntry].map(([entry, files]) => ({ entry, declaredIn: [...files].sort() })).sort((a, b) => a.entry.localeCompare(b.entry));
}

/** Bundles every handler the constructs name (see `buildBundles`); what `npm run synth` and jest's global setup run first. */
export async function buildStackBundles(root: string = REPO_ROOT): Promise<void> {
  await buildBundles((await handlerEntries(root)).map((h) => h.entry));
}
