/**
 * Child process of {@link buildSyncWithPlugins}: reads `{ options }` (JSON) on stdin, runs one
 * esbuild build with the SDK size and rule documentation plugins, and writes the result as JSON on stdout. Separate because
 * esbuild runs plugins only in its asynchronous API, while cdktf constructs are built synchronously.
 */
import { build, type BuildFailure, type BuildOptions } from "esbuild";
import { ruleDocsPlugin } from "./rule-docs";
import { sdkSizePlugin } from "./sdk-size";

export interface ChildRequest {
  options: BuildOptions;
}

export type ChildResponse =
  | { ok: true; files: { path: string; base64: string }[]; metafile?: unknown }
  | { ok: false; errors: { text: string; location?: { file: string; line: number; column: number } | null }[]; message: string };

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const { options } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChildRequest;
  let response: ChildResponse;
  try {
    const result = await build({ ...options, write: false, plugins: [sdkSizePlugin(), ruleDocsPlugin()] });
    response = {
      ok: true,
      files: result.outputFiles.map((f) => ({ path: f.path, base64: Buffer.from(f.contents).toString("base64") })),
      ...(result.metafile ? { metafile: result.metafile } : {}),
    };
  } catch (err) {
    const failure = err as BuildFailure;
    response = {
      ok: false,
      errors: (failure.errors ?? []).map((e) => ({ text: e.text, location: e.location ? { file: e.location.file, line: e.location.line, column: e.location.column } : null })),
      message: String((err as Error).message ?? err),
    };
  }
  process.stdout.write(JSON.stringify(response));
}

void main();
