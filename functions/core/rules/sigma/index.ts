export * from "./spec";
export * from "./compile";
export * from "./condition";
export * from "./evaluate";
export * from "./linear-regex";
export * from "./rule";
