import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import type { BuildOptions } from "esbuild";
import { zipSync, type Zippable } from "fflate";
import { BundleBuildError, buildSyncWithPlugins } from "./esbuild-sync";

/** The repository root: handler entries are given relative to it. */
export const REPO_ROOT = resolve(__dirname, "../..");

/** Modules swapped at bundle time; see lambda-credentials.ts for why. */
export const LAMBDA_ALIASES: Record<string, string> = {
  "@aws-sdk/credential-provider-node": resolve(__dirname, "lambda-credentials.ts"),
};

/** A bundled handler, zipped and ready to be a Terraform asset. */
export interface HandlerBundle {
  /** The entry as given (relative to the repo root). */
  entry: string;
  /** Absolute path of the deterministic zip (content-addressed under the OS temp dir). */
  zipPath: string;
  /** base64(SHA-256(zip)): what Lambda reports as CodeSha256, so `source_code_hash` never drifts. */
  sha256Base64: string;
  /** Size of `index.js` and of the zip, in bytes. */
  jsBytes: number;
  zipBytes: number;
  /** Milliseconds esbuild + zip took (0 when served from the cache). */
  buildMs: number;
}

export interface BundleOptions {
  /** Emit an external source map into the zip (the function then needs NODE_OPTIONS=--enable-source-maps). */
  sourcemap?: boolean;
}

const cache = new Map<string, HandlerBundle>();
/** A fixed timestamp for zip entries: the same code always gives the same zip and the same hash. */
const ZIP_MTIME = new Date("1980-01-01T00:00:00Z");

/**
 * The esbuild options every Lambda bundle is built with, besides the SDK size plugin that
 * {@link buildSyncWithPlugins} adds (exported so the deploy benchmark analyses exactly the same build).
 */
export function esbuildOptions(absEntry: string, opts: BundleOptions = {}): BuildOptions & { write: false } {
  return {
    entryPoints: [absEntry],
    absWorkingDir: REPO_ROOT,
    outfile: "index.js",
    write: false,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    mainFields: ["module", "main"],
    // Lambda passes credentials in the environment: skip the rest of the default chain (~115 KB).
    alias: LAMBDA_ALIASES,
    sourcemap: opts.sourcemap ? "external" : false,
    logLevel: "silent",
  };
}

/**
 * Bundles one handler with esbuild (bundle, minify, node22, `module` before `main` so ESM builds of
 * the AWS SDK tree-shake, SDK bundled so its version is pinned, the SDK size rewrites of sdk-size.ts)
 * into a deterministic zip with `index.js` at its root (handler `index.handler`).
 *
 * Results are cached per entry and options for the life of the process: several constructs (and
 * several stacks in one test run) may bundle the same handler and pay for it once.
 */
export function bundleHandler(entry: string, opts: BundleOptions = {}): HandlerBundle {
  const key = `${entry}\u0000${opts.sourcemap ? "map" : ""}`;
  const hit = cache.get(key);
  if (hit) return { ...hit, buildMs: 0 };

  const abs = resolve(REPO_ROOT, entry);
  if (!existsSync(abs)) {
    throw new Error(`Lambda handler "${entry}" not found (looked at ${abs}); give entry relative to the repository root, e.g. "functions/handlers/log-analyzer.ts".`);
  }
  const started = performance.now();
  let outputFiles;
  try {
    ({ files: outputFiles } = buildSyncWithPlugins(esbuildOptions(abs, opts)));
  } catch (err) {
    const details = err instanceof BundleBuildError ? err.details.slice(0, 5).map((d) => `  ${d}`).join("\n") : "";
    throw new Error(`esbuild could not bundle Lambda handler "${entry}":\n${details || String((err as Error).message ?? err)}`);
  }

  const files: Zippable = {};
  let jsBytes = 0;
  for (const f of outputFiles) {
    const name = basename(f.path);
    if (name === "index.js") jsBytes = f.contents.byteLength;
    // Unix mode 0644 so the runtime (non-root) can read the files.
    files[name] = [f.contents, { mtime: ZIP_MTIME, os: 3, attrs: 0o100644 << 16, level: 9 }];
  }
  const zip = zipSync(files);
  const digest = createHash("sha256").update(zip).digest();
  const dir = join(tmpdir(), "trailwatch-bundles", digest.toString("hex").slice(0, 32));
  mkdirSync(dir, { recursive: true });
  const zipPath = join(dir, `${basename(entry, extname(entry))}.zip`);
  writeFileSync(zipPath, zip);

  const bundle: HandlerBundle = {
    entry,
    zipPath,
    sha256Base64: digest.toString("base64"),
    jsBytes,
    zipBytes: zip.byteLength,
    buildMs: Math.round(performance.now() - started),
  };
  cache.set(key, bundle);
  return bundle;
}

/** Forgets cached bundles (tests that rewrite a handler between synths). */
export function clearBundleCache(): void {
  cache.clear();
}
