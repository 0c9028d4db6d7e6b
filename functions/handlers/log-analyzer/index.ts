export * from "../../app/log-analyzer/analyzer";
export * from "./config";
