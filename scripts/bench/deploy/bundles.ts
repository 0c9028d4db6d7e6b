import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Metafile } from "esbuild";
import { unzipSync } from "fflate";
import { buildBundles, esbuildHandler } from "../../../modules/lambda-function/bundle";

/** Bytes one package (or one folder of trailwatch's own code) adds to a bundle. */
export interface Contributor {
  /** npm package (`@aws-sdk/client-s3`) or trailwatch folder (`functions/core`). */
  name: string;
  bytes: number;
}

/** One handler as the stack deploys it. */
export interface BundleReport {
  name: string;
  entry: string;
  /** Minified `index.js`, bytes. */
  jsBytes: number;
  /** It runs the rule catalog (its budget is `CATALOG_TARGET_BYTES`). */
  carriesCatalog: boolean;
  /** The deployment zip, bytes. */
  zipBytes: number;
  /** `index.js` taken out of the deployment zip, for the load-time measurement. */
  jsPath: string;
  /** Largest contributors, by bytes in the output. */
  top: Contributor[];
  /** What the AWS SDK (`@aws-sdk/*`, `@smithy/*`, `@aws-crypto/*`, `@aws/*`) adds in all. */
  sdkBytes: number;
  /** Every input's share, largest first (kept in the JSON output). */
  contributors: Contributor[];
}

/** `node_modules/@scope/pkg/...` -> `@scope/pkg`; own code -> its first two folders (`functions/core`). */
export function contributorOf(input: string): string {
  const parts = input.split("/");
  const nm = parts.lastIndexOf("node_modules");
  if (nm >= 0) {
    const first = parts[nm + 1] ?? "?";
    return first.startsWith("@") ? `${first}/${parts[nm + 2] ?? "?"}` : first;
  }
  return parts.length > 2 ? parts.slice(0, 2).join("/") : input;
}

export function isSdkPackage(name: string): boolean {
  return /^@(aws-sdk|smithy|aws-crypto|aws)\//.test(name);
}

/** Sums the metafile's bytes-in-output per contributor, largest first. */
export function contributors(meta: Metafile, output = "index.js"): Contributor[] {
  const out = meta.outputs[output];
  if (!out) throw new Error(`esbuild metafile has no output "${output}" (outputs: ${Object.keys(meta.outputs).join(", ")})`);
  const sums = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
    const k = contributorOf(input);
    sums.set(k, (sums.get(k) ?? 0) + bytesInOutput);
  }
  return [...sums].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bundles a handler exactly as the stack does (`buildBundles` of `modules/lambda-function`, whose
 * zip `NodeFunction` deploys), takes `index.js` out of the deployment zip into `outDir/<name>/`,
 * and attributes its bytes to packages with esbuild's metafile of the same build function. That
 * build must give the very same bytes as the zip (a cached zip of an older build would not); if
 * not, this throws rather than report the contributors of a different bundle.
 */
export async function bundleForBench(name: string, entry: string, outDir: string): Promise<BundleReport> {
  const [bundle] = await buildBundles([entry]);
  const files = unzipSync(readFileSync(bundle!.zipPath));
  const js = files["index.js"];
  if (!js) throw new Error(`${bundle!.zipPath}: the deployment zip of ${entry} has no index.js (has ${Object.keys(files).join(", ")})`);
  const jsPath = join(outDir, name, "index.js");
  mkdirSync(dirname(jsPath), { recursive: true });
  writeFileSync(jsPath, js);

  const analysed = await esbuildHandler(entry);
  const same = analysed.files.find((f) => f.path.endsWith("index.js"));
  if (!same || Buffer.compare(Buffer.from(same.contents), Buffer.from(js)) !== 0) {
    throw new Error(`the metafile build of ${entry} differs from the deployed bundle (${same?.contents.byteLength ?? 0} vs ${js.byteLength} bytes)`);
  }
  const all = contributors(analysed.metafile);
  return {
    name,
    entry,
    jsBytes: bundle!.jsBytes,
    carriesCatalog: bundle!.carriesCatalog,
    zipBytes: bundle!.zipBytes,
    jsPath,
    top: all.slice(0, 5),
    sdkBytes: all.filter((c) => isSdkPackage(c.name)).reduce((s, c) => s + c.bytes, 0),
    contributors: all,
  };
}
