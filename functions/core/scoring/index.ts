/** Scoring of (principal, API) pairs: pure aggregation, the built-in scorer, thresholds and alerts. */
export * from "./day";
export * from "./input";
export * from "./pair";
export * from "./csv";
export * from "./history";
export * from "./tail-probability";
export * from "./scorer";
export * from "./builtin-scorer";
export * from "./threshold";
export * from "./alerts";
export * from "./read-day";
