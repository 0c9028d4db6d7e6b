export { NodeFunction, ASYNC_MAX_RETRIES, type NodeFunctionProps } from "./node-function";
export { buildBundles, bundleHandler, BundleNotBuiltError, REPO_ROOT, type HandlerBundle, type BundleOptions } from "./bundle";
export { buildStackBundles, handlerEntries, type HandlerEntry } from "./handler-entries";
export type { PolicyStatementSpec } from "../platform/policy-document";
