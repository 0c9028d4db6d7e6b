export * from "./config";
export * from "./local-runner";
export * from "./remediate";
