import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The scan worker as one JavaScript file, built with esbuild and kept between runs.
 *
 * A worker started from the TypeScript sources compiles every module through tsx's hook again: about
 * 0.6 s and 0.7 CPU s per worker on a 2-core machine, paid by every `scan --jobs N`. The bundle loads
 * in a fraction of that. It is rebuilt when any input changed (size or modification time of every file
 * esbuild read, and esbuild's version), so an edited rule is never scanned with stale code. Without
 * esbuild (an install without development dependencies) or when the build fails, the pool falls back
 * to the sources through tsx. A rule set (a settings file, a rules folder) may bring TypeScript rules,
 * which the worker loads through tsx's hook (`worker-bundled-entry.cjs`).
 */

/** The package root: inputs are recorded relative to it. */
const ROOT = resolve(__dirname, "../../..");
/** Beside the installed packages, so the cached code is exactly as trusted as they are. */
export const DEFAULT_CACHE_DIR = join(ROOT, "node_modules", ".cache", "trailwatch");
const ENTRY = join(__dirname, "worker.ts");

interface Manifest {
  esbuild: string;
  node: string;
  /** The bundle's own size: a bundle replaced or cut short is built again. */
  size: number;
  /** Input path (relative to the package root) to `[size, mtimeMs]`. */
  inputs: Record<string, [number, number]>;
}

/** The path of an up-to-date bundled worker (built now if needed), or undefined when none can be had. */
export async function scanWorkerBundle(cacheDir = DEFAULT_CACHE_DIR): Promise<string | undefined> {
  let esbuild: typeof import("esbuild");
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    esbuild = require("esbuild") as typeof import("esbuild");
  } catch {
    return undefined;
  }
  const file = join(cacheDir, "scan-worker.cjs");
  const manifestFile = join(cacheDir, "scan-worker.json");
  const node = process.versions.node.split(".")[0] ?? "20";
  if (upToDate(file, manifestFile, esbuild.version, node)) return file;
  try {
    const built = await esbuild.build({
      entryPoints: [ENTRY],
      absWorkingDir: ROOT,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: `node${node}`,
      write: false,
      metafile: true,
      logLevel: "silent",
      // Loaded at run time only when a rules folder needs them.
      external: ["tsx", "esbuild"],
    });
    const out = built.outputFiles[0];
    if (!out) return undefined;
    const inputs: Manifest["inputs"] = {};
    for (const path of Object.keys(built.metafile.inputs)) {
      const s = statSync(join(ROOT, path));
      inputs[path] = [s.size, s.mtimeMs];
    }
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    // Written under a private name and renamed, so a concurrent scan never loads half a file.
    writeAtomically(file, out.contents);
    writeAtomically(manifestFile, JSON.stringify({ esbuild: esbuild.version, node, size: out.contents.length, inputs } satisfies Manifest));
    return file;
  } catch {
    return undefined;
  }
}

function upToDate(file: string, manifestFile: string, esbuildVersion: string, node: string): boolean {
  try {
    const m = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    if (m.esbuild !== esbuildVersion || m.node !== node || statSync(file).size !== m.size) return false;
    const entries = Object.entries(m.inputs);
    if (entries.length === 0) return false;
    return entries.every(([path, [size, mtime]]) => {
      const s = statSync(join(ROOT, path));
      return s.size === size && s.mtimeMs === mtime;
    });
  } catch {
    return false;
  }
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}
