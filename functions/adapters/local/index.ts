export * from "./log-source";
export * from "./memory-threshold-store";
