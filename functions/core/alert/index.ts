export * from "./alert";
export * from "./collector";
