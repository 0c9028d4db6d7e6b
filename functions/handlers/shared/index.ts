export * from "./aws-clients";
export * from "./env";
export * from "./observability";
export * from "./rule-env";
export * from "./alert-sink";
