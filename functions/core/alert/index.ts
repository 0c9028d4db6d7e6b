export * from "./alert";
export * from "./bound";
export * from "./escape";
export * from "./collector";
export * from "./format-text";
export * from "./format-guidance";
export * from "./schema";
