/**
 * Size is deterministic, so unlike load time it can be a test: every handler the stack deploys must
 * stay within its minified budget: 700 KB (`TARGET_BYTES`), 800 KB for the functions that run the rule
 * catalog (`CATALOG_TARGET_BYTES`, which grows with every rule). Cold load time is
 * measured by `npm run bench -- deploy`, never here.
 */
import { readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import { buildBundles, handlerEntries } from "../../../modules/lambda-function";
import { CATALOG_TARGET_BYTES, sizeBudget, TARGET_BYTES } from "../../../scripts/bench/deploy";

describe("deployed Lambda bundles", () => {
  it("are each within the size budget when minified, and carry zod/mini, not the zod package's classes", async () => {
    // Prepare
    const entries = (await handlerEntries()).map((h) => h.entry);
    // Act
    const bundles = await buildBundles(entries);
    const js = bundles.map((b) => Buffer.from(unzipSync(readFileSync(b.zipPath))["index.js"]!).toString("utf8"));
    // Assess
    expect(entries.length).toBeGreaterThanOrEqual(10);
    expect(bundles.filter((b) => b.jsBytes > sizeBudget(b)).map((b) => `${b.entry}: ${b.jsBytes} bytes > ${sizeBudget(b)}`)).toEqual([]);
    // The larger budget is only for the functions that run the catalog: the log analyzer and the retro-hunt scan.
    const withCatalog = bundles.filter((b) => b.carriesCatalog).map((b) => b.entry);
    expect(withCatalog).toEqual(expect.arrayContaining(["functions/handlers/log-analyzer.ts"]));
    expect(withCatalog.length).toBeLessThan(entries.length / 2);
    expect(sizeBudget({ carriesCatalog: true })).toBe(CATALOG_TARGET_BYTES);
    expect(sizeBudget({ carriesCatalog: false })).toBe(TARGET_BYTES);
    // `import * as z from "zod"` in bundled code would add the classic schema classes (~65 KB); use functions/core/zod.
    expect(entries.filter((_, i) => /["']ZodString["']/.test(js[i]!))).toEqual([]);
  }, 300_000);
});
