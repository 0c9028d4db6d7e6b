export * from "./aws-runner";
export * from "./config";
export * from "./remediate";
// local-runner.ts is not re-exported: it carries the STS client the remediator function does not need.
