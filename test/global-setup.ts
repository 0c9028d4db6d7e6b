/**
 * Bundles every Lambda handler the constructs name before any test runs (cdktf constructs are
 * synchronous and take the bundles `buildBundles` built; see modules/lambda-function). Unchanged
 * handlers come from the cache in the OS temp folder, so this costs a second once they are built.
 * Tests that synthesize a handler of their own (fixtures, a config with other rules) build it in their `beforeAll`.
 */
import { DEFAULT_CONFIG, loadConfig } from "../infra/config/load";
import { buildBundles } from "../modules/lambda-function/bundle";
import { buildStackBundles } from "../modules/lambda-function/handler-entries";
import { analyzerEntry, huntScanEntry } from "../modules/platform/rules-entry";

export default async function globalSetup(): Promise<void> {
  await buildStackBundles();
  // The example config tunes rules: its log analyzer and retro-hunt scan are bundled from the entries that embed them.
  const rules = loadConfig(DEFAULT_CONFIG).rules;
  await buildBundles([analyzerEntry(rules), huntScanEntry(rules)]);
}
