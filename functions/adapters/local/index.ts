export * from "./log-source";
