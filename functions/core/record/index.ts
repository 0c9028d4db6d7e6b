export * from "./schema";
export * from "./principal";
export * from "./decode";
export * from "./limits";
export * from "./bounds";
