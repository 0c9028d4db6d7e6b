import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { build, version as esbuildVersion, type BuildFailure, type BuildOptions, type Metafile } from "esbuild";
import { zipSync, type Zippable } from "fflate";
import { ruleDocsPlugin } from "./rule-docs";
import { sdkSizePlugin } from "./sdk-size";

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
  /** Milliseconds esbuild + zip took when it was built. */
  buildMs: number;
  /** The bundle runs the rule catalog (it grows with every rule: see `sizeBudget` in scripts/bench/deploy.ts). */
  carriesCatalog: boolean;
}

/** The catalog's index: a bundle that has it runs every rule. */
const CATALOG_INDEX = "functions/core/rules/catalog/index.ts";

export interface BundleOptions {
  /** Emit an external source map into the zip (the function then needs NODE_OPTIONS=--enable-source-maps). */
  sourcemap?: boolean;
}

/** A handler's `index.js` as esbuild built it, with what went into it. */
export interface BuiltHandler {
  files: { path: string; contents: Uint8Array }[];
  metafile: Metafile;
}

/** Bundles and zips live here: zips named by their content, and per checkout, entry and options a record of the last build. */
const CACHE_DIR = join(tmpdir(), "trailwatch-bundles");
/** A fixed timestamp for zip entries: the same code always gives the same zip and the same hash. */
const ZIP_MTIME = new Date("1980-01-01T00:00:00Z");

/**
 * The esbuild options every Lambda bundle is built with, besides the SDK size plugin (see
 * sdk-size.ts): bundle, minify, node22, `module` before `main` so ESM builds of the AWS SDK
 * tree-shake, the SDK bundled so its version is pinned, CommonJS `index.js`.
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

function absoluteEntry(entry: string): string {
  const abs = resolve(REPO_ROOT, entry);
  if (!existsSync(abs)) {
    throw new Error(`Lambda handler "${entry}" not found (looked at ${abs}); give entry relative to the repository root, e.g. "functions/handlers/log-analyzer.ts".`);
  }
  return abs;
}

/**
 * Builds one handler with esbuild's asynchronous API (the only one that runs plugins), the SDK
 * size plugin and the rule documentation plugin (rule-docs.ts). The deploy benchmark uses it too, for the metafile of exactly what is deployed.
 */
export async function esbuildHandler(entry: string, opts: BundleOptions = {}): Promise<BuiltHandler> {
  const abs = absoluteEntry(entry);
  try {
    const res = await build({ ...esbuildOptions(abs, opts), metafile: true, plugins: [sdkSizePlugin(), ruleDocsPlugin()] });
    return { files: res.outputFiles.map((f) => ({ path: f.path, contents: f.contents })), metafile: res.metafile };
  } catch (err) {
    const details = ((err as BuildFailure).errors ?? [])
      .slice(0, 5)
      .map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ""}${e.text}`)
      .join("\n");
    throw new Error(`esbuild could not bundle Lambda handler "${entry}":\n${details || String((err as Error).message ?? err)}`, { cause: err });
  }
}

/** What a build depended on: every input file (size, mtime, SHA-256), so a later change is noticed. */
interface BuildRecord extends HandlerBundle {
  inputs: Record<string, { size: number; mtimeMs: number; sha256: string }>;
}

/** Changes whenever the way bundles are built changes (esbuild, its options, its plugins). */
const BUILDER = createHash("sha256")
  .update(esbuildVersion)
  .update(readFileSync(__filename))
  .update(readFileSync(resolve(__dirname, "sdk-size.ts")))
  .update(readFileSync(resolve(__dirname, "rule-docs.ts")))
  .update(readFileSync(resolve(__dirname, "../../functions/core/rules/guidance.ts")))
  .digest("hex")
  .slice(0, 16);

function recordPath(entry: string, opts: BundleOptions): string {
  const key = createHash("sha256").update(JSON.stringify([REPO_ROOT, entry, !!opts.sourcemap, BUILDER])).digest("hex").slice(0, 32);
  return join(CACHE_DIR, "records", `${key}.json`);
}

const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Inputs already found unchanged in this process (keyed by path, size and mtime). */
const unchanged = new Set<string>();

/** True when the input is as it was at build time: same size and mtime, or else the same content. */
function inputUnchanged(rel: string, was: BuildRecord["inputs"][string]): boolean {
  const abs = resolve(REPO_ROOT, rel);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return false;
  }
  const key = `${abs}\u0000${st.size}\u0000${st.mtimeMs}`;
  if (unchanged.has(key)) return true;
  const same = (st.size === was.size && st.mtimeMs === was.mtimeMs) || (st.size === was.size && sha256Hex(readFileSync(abs)) === was.sha256);
  if (same) unchanged.add(key);
  return same;
}

/** The record of the last build of `entry`, when its zip exists and none of its inputs changed since. */
function currentRecord(entry: string, opts: BundleOptions): BuildRecord | undefined {
  let rec: BuildRecord;
  try {
    rec = JSON.parse(readFileSync(recordPath(entry, opts), "utf8")) as BuildRecord;
  } catch {
    return undefined;
  }
  if (!existsSync(rec.zipPath)) return undefined;
  return Object.entries(rec.inputs).every(([rel, was]) => inputUnchanged(rel, was)) ? rec : undefined;
}

/** Writes `data` so that readers see the old file or the new one, never half of it (parallel test workers). */
function writeAtomically(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

async function buildOne(entry: string, opts: BundleOptions): Promise<HandlerBundle> {
  const started = performance.now();
  const built = await esbuildHandler(entry, opts);
  const files: Zippable = {};
  let jsBytes = 0;
  for (const f of built.files) {
    const name = basename(f.path);
    if (name === "index.js") jsBytes = f.contents.byteLength;
    // Unix mode 0644 so the runtime (non-root) can read the files.
    files[name] = [f.contents, { mtime: ZIP_MTIME, os: 3, attrs: 0o100644 << 16, level: 9 }];
  }
  const zip = zipSync(files);
  const digest = createHash("sha256").update(zip).digest();
  const zipPath = join(CACHE_DIR, digest.toString("hex").slice(0, 32), `${basename(entry, extname(entry))}.zip`);
  if (!existsSync(zipPath)) writeAtomically(zipPath, zip);
  const inputs: BuildRecord["inputs"] = {};
  for (const rel of Object.keys(built.metafile.inputs)) {
    const abs = resolve(REPO_ROOT, rel);
    const st = statSync(abs);
    inputs[rel] = { size: st.size, mtimeMs: st.mtimeMs, sha256: sha256Hex(readFileSync(abs)) };
  }
  const bundle: HandlerBundle = {
    entry, zipPath, sha256Base64: digest.toString("base64"), jsBytes, zipBytes: zip.byteLength, buildMs: Math.round(performance.now() - started),
    carriesCatalog: CATALOG_INDEX in inputs,
  };
  writeAtomically(recordPath(entry, opts), JSON.stringify({ ...bundle, inputs } satisfies BuildRecord));
  return bundle;
}

/**
 * Bundles handlers for deployment: each entry is built with esbuild's asynchronous API, the SDK
 * size rewrites of sdk-size.ts and the rule documentation removal of rule-docs.ts into a deterministic zip with `index.js` at its root (handler
 * `index.handler`), unless its last build is still current (no input file changed). Run it before
 * the synchronous cdktf constructs: `NodeFunction` takes the bundle from {@link bundleHandler}.
 * `npm run synth` and `cdktf synth` (infra/main.ts) and jest's global setup do.
 */
export async function buildBundles(entries: readonly string[], opts: BundleOptions = {}): Promise<HandlerBundle[]> {
  const out: HandlerBundle[] = [];
  // One at a time: a handler build takes a second of CPU and a few hundred MB; the machine is shared.
  for (const entry of entries) out.push(stripInputs(currentRecord(entry, opts)) ?? (await buildOne(entry, opts)));
  return out;
}

function stripInputs(rec: BuildRecord | undefined): HandlerBundle | undefined {
  if (!rec) return undefined;
  const { inputs, ...bundle } = rec;
  return { ...bundle, carriesCatalog: CATALOG_INDEX in inputs };
}

/** A handler was not bundled before synth, or its code changed since. */
export class BundleNotBuiltError extends Error {
  override name = "BundleNotBuiltError";
}

/**
 * The bundle of one handler, as {@link buildBundles} built it, for the synchronous constructs.
 * Throws {@link BundleNotBuiltError} when there is none or one of its files changed since, saying
 * what to run: cdktf constructs are synchronous, and esbuild runs plugins only asynchronously.
 */
export function bundleHandler(entry: string, opts: BundleOptions = {}): HandlerBundle {
  absoluteEntry(entry);
  const bundle = stripInputs(currentRecord(entry, opts));
  if (bundle) return bundle;
  throw new BundleNotBuiltError(
    `Lambda handler "${entry}"${opts.sourcemap ? " (with source map)" : ""} is not bundled, or its code changed since: ` +
      `build it before synth with buildBundles() of modules/lambda-function (npm run synth and cdktf synth do it for every handler the constructs name; jest does in test/global-setup.ts)`,
  );
}
