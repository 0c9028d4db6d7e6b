export * from "./analyzer";
export * from "./config";
