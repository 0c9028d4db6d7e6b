export * from "./config";
export * from "./forward";
