export * from "./event-checks";
export * from "./permissions";
export * from "./protected-targets";
