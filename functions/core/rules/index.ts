export * from "./rule";
export * from "./engine";
export * from "./helpers";
export { catalog } from "./catalog";
