/**
 * Bundles every Lambda handler the constructs name before any test runs (cdktf constructs are
 * synchronous and take the bundles `buildBundles` built; see modules/lambda-function). Unchanged
 * handlers come from the cache in the OS temp folder, so this costs a second once they are built.
 * Tests that synthesize a handler of their own (fixtures) build it in their `beforeAll`.
 */
import { buildStackBundles } from "../modules/lambda-function/handler-entries";

export default async function globalSetup(): Promise<void> {
  await buildStackBundles();
}
