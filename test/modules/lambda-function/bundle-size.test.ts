/**
 * Size is deterministic, so unlike load time it can be a test: every handler the stack deploys must
 * stay within the 700 KB minified budget (`TARGET_BYTES`). Cold load time is
 * measured by `npm run bench -- deploy`, never here.
 */
import { readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import { buildBundles, handlerEntries } from "../../../modules/lambda-function";
import { TARGET_BYTES } from "../../../scripts/bench/deploy";

describe("deployed Lambda bundles", () => {
  it("are each within the size budget when minified, and carry zod/mini, not the zod package's classes", async () => {
    // Prepare
    const entries = (await handlerEntries()).map((h) => h.entry);
    // Act
    const bundles = await buildBundles(entries);
    const js = bundles.map((b) => Buffer.from(unzipSync(readFileSync(b.zipPath))["index.js"]!).toString("utf8"));
    // Assess
    expect(entries.length).toBeGreaterThanOrEqual(10);
    expect(bundles.filter((b) => b.jsBytes > TARGET_BYTES).map((b) => `${b.entry}: ${b.jsBytes} bytes`)).toEqual([]);
    // `import * as z from "zod"` in bundled code would add the classic schema classes (~65 KB); use functions/core/zod.
    expect(entries.filter((_, i) => /["']ZodString["']/.test(js[i]!))).toEqual([]);
  }, 300_000);
});
