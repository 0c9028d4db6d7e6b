export * from "./config";
export * from "./event";
export * from "./guard";
export * from "./tampering-rule";
