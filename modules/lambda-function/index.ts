export { NodeFunction, ASYNC_MAX_RETRIES, type NodeFunctionProps } from "./node-function";
export { bundleHandler, clearBundleCache, REPO_ROOT, type HandlerBundle, type BundleOptions } from "./bundle";
export type { PolicyStatementSpec } from "../platform/policy-document";
