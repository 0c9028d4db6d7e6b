export * from "./aws-clients";
export * from "./env";
export * from "./observability";
