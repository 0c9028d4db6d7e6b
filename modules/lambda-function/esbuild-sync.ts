import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { buildSync, type BuildOptions, type Metafile } from "esbuild";
import type { ChildResponse } from "./esbuild-child";

/** One output file of a build. */
export interface BuiltFile {
  path: string;
  contents: Uint8Array;
}

export interface SyncBuildResult {
  files: BuiltFile[];
  metafile?: Metafile;
}

/** An esbuild failure, with esbuild's messages (file:line:column: text). */
export class BundleBuildError extends Error {
  override name = "BundleBuildError";
  constructor(
    message: string,
    readonly details: string[],
  ) {
    super(message);
  }
}

const CHILD_SOURCE = resolve(__dirname, "esbuild-child.ts");
let childScript: string | undefined;

const NODE_MODULES = resolve(__dirname, "../../node_modules");

/**
 * The child compiled to plain JavaScript (once per process, content-addressed). It goes under
 * `node_modules/.cache` so that its `require("esbuild")` finds the project's esbuild; when that is
 * not writable (a read-only install), under the OS temp folder, with NODE_PATH pointing back.
 */
function compiledChild(): string {
  if (childScript && existsSync(childScript)) return childScript;
  const sources = [CHILD_SOURCE, resolve(__dirname, "sdk-size.ts"), resolve(__dirname, "rule-docs.ts")].map((p) => readFileSync(p));
  const digest = createHash("sha256").update(Buffer.concat(sources)).digest("hex").slice(0, 16);
  for (const dir of [join(NODE_MODULES, ".cache", "trailwatch"), join(tmpdir(), "trailwatch-esbuild-child")]) {
    const out = join(dir, `esbuild-child-${digest}.cjs`);
    try {
      if (!existsSync(out)) {
        mkdirSync(dir, { recursive: true });
        buildSync({ entryPoints: [CHILD_SOURCE], outfile: out, bundle: true, platform: "node", format: "cjs", target: "node20", external: ["esbuild", "typescript"], logLevel: "silent" });
      }
      return (childScript = out);
    } catch {
      // not writable: try the next place
    }
  }
  throw new BundleBuildError(`could not write the esbuild child script under ${NODE_MODULES}/.cache or ${tmpdir()}`, []);
}

/**
 * Runs an esbuild build with the SDK size plugin (see sdk-size.ts) and waits for it. esbuild only
 * runs plugins in its asynchronous API and cdktf constructs are synchronous, so the build runs in a
 * short-lived child process. `options` must be plain data (no plugins, no functions).
 */
export function buildSyncWithPlugins(options: BuildOptions): SyncBuildResult {
  let stdout: Buffer;
  try {
    stdout = execFileSync(process.execPath, [compiledChild()], {
      input: JSON.stringify({ options }),
      env: { ...process.env, NODE_PATH: [NODE_MODULES, process.env.NODE_PATH].filter(Boolean).join(delimiter) },
      maxBuffer: 512 * 2 ** 20,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new BundleBuildError(`the esbuild child process failed: ${e.stderr?.toString().trim() || e.message}`, []);
  }
  const res = JSON.parse(stdout.toString("utf8")) as ChildResponse;
  if (!res.ok) {
    const details = res.errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ""}${e.text}`);
    throw new BundleBuildError(res.message, details);
  }
  return {
    files: res.files.map((f) => ({ path: f.path, contents: new Uint8Array(Buffer.from(f.base64, "base64")) })),
    ...(res.metafile ? { metafile: res.metafile as Metafile } : {}),
  };
}
