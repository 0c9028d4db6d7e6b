export * from "./schema";
export * from "./principal";
export * from "./decode";
