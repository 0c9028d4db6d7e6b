export * from "./compile";
export * from "./path";
export * from "./suppression";
export * from "./apply";
export * from "./data";
