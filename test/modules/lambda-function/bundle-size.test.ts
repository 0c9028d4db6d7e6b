/**
 * Size is deterministic, so unlike load time it can be a test: every handler the stack deploys must
 * stay within the 700 KB minified target (`TARGET_BYTES`). Cold load time is
 * measured by `npm run bench -- deploy`, never here.
 */
import { bundleHandler, REPO_ROOT } from "../../../modules/lambda-function";
import { deployedHandlers } from "../../../scripts/bench/deploy/handlers";
import { TARGET_BYTES } from "../../../scripts/bench/deploy";

describe("deployed Lambda bundles", () => {
  it("are each at most 700 KB minified, as NodeFunction bundles them", async () => {
    // Prepare
    const handlers = await deployedHandlers(REPO_ROOT);
    // Act
    const sizes = handlers.map((h) => ({ name: h.name, bytes: bundleHandler(h.entry).jsBytes }));
    // Assess
    expect(handlers.length).toBeGreaterThanOrEqual(10);
    expect(sizes.filter((s) => s.bytes > TARGET_BYTES)).toEqual([]);
  }, 300_000);
});
