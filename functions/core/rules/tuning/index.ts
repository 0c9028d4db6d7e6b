export * from "./compile";
export * from "./path";
export * from "./suppression";
