/** The pure detection core: no AWS SDK, no filesystem, no network. */
export * from "./record";
export * from "./alert";
export * from "./rules";
export * from "./ports";
export * from "./scan";
export * from "./remediation";
export * from "./scoring";
